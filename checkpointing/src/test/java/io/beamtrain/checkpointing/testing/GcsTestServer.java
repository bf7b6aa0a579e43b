package io.beamtrain.checkpointing.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Google Cloud Storage server speaking the JSON API over HTTP/1.1, for tests of the
 * google-cloud-storage client (HTTP transport) and Beam's {@code GcsUtil}. No process, no
 * credentials; objects live in memory.
 *
 * <p>What it implements, following the JSON API reference: uploads ({@code uploadType=media},
 * {@code multipart}, {@code resumable} with {@code Content-Range} chunks, 308 + {@code Range}
 * answers, status queries, 256 KiB persistence granularity); object metadata and {@code alt=media}
 * downloads with {@code Range}; {@code objects.list} with prefix, delimiter, paging, start/end
 * offsets; delete; patch; rewrite and copy; compose; bucket get and insert; the {@code
 * /batch/storage/v1} endpoint; the generation and metageneration preconditions (412, or 304 for a
 * read's {@code NotMatch}), the {@code generation} parameter, and GCS's error bodies. It does not
 * model ACLs, object versioning (only the live generation is kept), encryption keys, or
 * decompressive transcoding; requests that need them answer 501. Partial responses ({@code fields})
 * are not applied: the full resource is returned, which clients accept.
 *
 * <p>Large objects are held as the arrays their upload requests arrived in, never concatenated;
 * downloads stream from them.
 *
 * <p>Fault injection: {@link #addFault} with a {@link FaultRule}. Every request is recorded ({@link
 * #requests()}). Thread-safe; requests are served concurrently.
 *
 * <pre>{@code
 * try (GcsTestServer server = GcsTestServer.start()) {
 *   server.createBucket("bkt");
 *   Storage storage = Storages.forPath("gs://bkt/x", server.storageConfig());
 * }
 * }</pre>
 */
public final class GcsTestServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcsTestServer.class);

  static {
    // The JDK server leaves Nagle's algorithm on unless told otherwise; with the client's delayed
    // ACKs that costs ~40 ms per request. The property only affects com.sun.net.httpserver, is
    // read when its first server starts, and an explicit setting by the user wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;
  private final ObjectStore store = new ObjectStore();
  private final UploadHandler uploads = new UploadHandler(store);
  private final JsonApi api = new JsonApi(store, uploads);
  private final List<ActiveFault> faults = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> log = new CopyOnWriteArrayList<>();

  /** A rule added to a running server, with its hit count. */
  public static final class ActiveFault {
    private final FaultRule rule;
    private int matched;
    private int fired;
    private boolean removed;

    private ActiveFault(FaultRule rule) {
      this.rule = rule;
    }

    public FaultRule rule() {
      return rule;
    }

    /** How many requests this rule has acted on. */
    public synchronized int fired() {
      return fired;
    }

    /** Whether the rule can still fire. */
    public synchronized boolean active() {
      return !removed && fired < rule.times();
    }

    /** Stops the rule from firing again. */
    public synchronized void remove() {
      removed = true;
    }

    private synchronized boolean tryFire() {
      if (removed || fired >= rule.times()) {
        return false;
      }
      matched++;
      if (matched <= rule.skipped()) {
        return false;
      }
      fired++;
      return true;
    }
  }

  private GcsTestServer(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
  }

  /** Starts a server on a free loopback port. */
  public static GcsTestServer start() {
    try {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "gcs-test-server-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      GcsTestServer server = new GcsTestServer(http, executor);
      http.createContext("/", server::handle);
      http.setExecutor(executor);
      http.start();
      LOG.debug("GcsTestServer listening on {}", server.endpoint());
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start GcsTestServer", e);
    }
  }

  /** The API root, {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    InetSocketAddress a = http.getAddress();
    return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** A {@link StorageConfig} for this server: no credentials, short backoffs. */
  public StorageConfig storageConfig() {
    return StorageConfig.forEndpoint(endpoint());
  }

  /** Creates a bucket; returns this server. Idempotent. */
  public GcsTestServer createBucket(String name) {
    store.createBucket(name);
    return this;
  }

  public boolean hasBucket(String name) {
    return store.hasBucket(name);
  }

  /** Stores an object directly (no HTTP); returns its generation. */
  public long putObject(String bucket, String name, byte[] data) {
    requireBucket(bucket);
    ObjectContent content = ObjectContent.of(data.clone());
    return store
        .commit(
            bucket,
            name,
            content,
            ObjectAttributes.DEFAULTS,
            content.md5Base64(),
            content.crc32cBase64(),
            null,
            Preconditions.NONE)
        .generation();
  }

  /** A copy of an object's bytes, empty when it does not exist. */
  public Optional<byte[]> getObject(String bucket, String name) {
    StoredObject o = store.hasBucket(bucket) ? store.getOrNull(bucket, name) : null;
    return o == null ? Optional.empty() : Optional.of(o.content().toByteArray());
  }

  /** The live generation of an object, empty when it does not exist. */
  public OptionalLong generation(String bucket, String name) {
    StoredObject o = store.hasBucket(bucket) ? store.getOrNull(bucket, name) : null;
    return o == null ? OptionalLong.empty() : OptionalLong.of(o.generation());
  }

  /** The custom metadata of an object, empty when it does not exist. */
  public Optional<java.util.Map<String, String>> metadata(String bucket, String name) {
    StoredObject o = store.hasBucket(bucket) ? store.getOrNull(bucket, name) : null;
    return o == null ? Optional.empty() : Optional.of(o.attributes().metadata());
  }

  /** Deletes an object directly; returns whether it existed. */
  public boolean deleteObject(String bucket, String name) {
    return store.hasBucket(bucket) && store.bucket(bucket).objects.remove(name) != null;
  }

  /** All object names of a bucket, sorted. */
  public List<String> objectNames(String bucket) {
    return objectNames(bucket, "");
  }

  /** Object names of a bucket starting with {@code prefix}, sorted. */
  public List<String> objectNames(String bucket, String prefix) {
    requireBucket(bucket);
    List<String> out = new ArrayList<>();
    for (String name : store.bucket(bucket).objects.tailMap(prefix, true).keySet()) {
      if (!name.startsWith(prefix)) {
        break;
      }
      out.add(name);
    }
    return out;
  }

  private void requireBucket(String bucket) {
    if (!store.hasBucket(bucket)) {
      throw new IllegalArgumentException(
          "GcsTestServer has no bucket '" + bucket + "'; call createBucket first");
    }
  }

  /** Resumable sessions started but neither finalized nor cancelled. */
  public int openResumableSessions() {
    return uploads.openSessions();
  }

  /** Adds a fault rule; it applies to requests from now on. */
  public ActiveFault addFault(FaultRule rule) {
    ActiveFault f = new ActiveFault(rule);
    faults.add(f);
    return f;
  }

  /** Removes every fault rule. */
  public void clearFaults() {
    faults.forEach(ActiveFault::remove);
    faults.clear();
  }

  /** Every request received so far, in arrival order (batch parts after their batch). */
  public List<RecordedRequest> requests() {
    return List.copyOf(log);
  }

  /** The recorded requests that satisfy {@code filter}. */
  public List<RecordedRequest> requests(Predicate<RecordedRequest> filter) {
    return log.stream().filter(filter).toList();
  }

  public void clearRequests() {
    log.clear();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP plumbing

  private void handle(HttpExchange ex) {
    CountingInputStream counted = new CountingInputStream(ex.getRequestBody());
    String host = ex.getRequestHeaders().getFirst("Host");
    String baseUrl = host != null ? "http://" + host : endpoint();
    GcsRequest req =
        new GcsRequest(
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            ex.getRequestURI().getRawQuery(),
            ex.getRequestHeaders(),
            counted,
            baseUrl,
            false);
    String peekedName = null;
    if (needsBodyForMatching(req)) {
      try {
        byte[] body = req.readBody();
        req = req.withBufferedBody(body);
        peekedName = UploadHandler.multipartObjectName(body, req.header("Content-Type"));
      } catch (IOException e) {
        LOG.debug("request body broke off: {}", e.toString());
        ex.close();
        return;
      }
    }
    ActiveFault fault = firingFault(req, false, peekedName);
    FaultRule rule = fault == null ? null : fault.rule();
    String faultText = rule == null ? null : rule.toString();
    boolean[] recorded = {false};
    try {
      if (rule != null && !rule.delay().isZero()) {
        sleep(rule.delay());
      }
      FaultRule.Action action = rule == null ? FaultRule.Action.NONE : rule.action();
      switch (action) {
        case RESPOND -> {
          req.drainBody();
          // Recorded before answering, so a client that saw the answer also sees the record.
          recordOnce(recorded, req, rule.status(), counted.count, faultText);
          send(ex, req, GcsResponse.error(GcsError.forStatus(rule.status())), Long.MAX_VALUE);
          return;
        }
        case DROP_CONNECTION -> {
          recordOnce(recorded, req, RecordedRequest.DROPPED, counted.count, faultText);
          ex.close();
          return;
        }
        case DROP_AFTER_BYTES -> {
          if (peekedName != null) {
            // The (small, non-resumable) body was read to match the rule; a multipart upload cut
            // short persists nothing, so this is the same as dropping the connection.
            recordOnce(recorded, req, RecordedRequest.DROPPED, counted.count, faultText);
            ex.close();
            return;
          }
          if (!req.method().equals("GET")) {
            counted.failAfter(rule.bytes());
          }
        }
        default -> {
          // NONE: handle normally; DROP_RESPONSE: handle, then drop below.
        }
      }
      GcsResponse response = dispatch(req);
      req.drainBody();
      if (action == FaultRule.Action.DROP_RESPONSE) {
        recordOnce(recorded, req, RecordedRequest.DROPPED, counted.count, faultText);
        ex.close();
        return;
      }
      long limit =
          action == FaultRule.Action.DROP_AFTER_BYTES && req.method().equals("GET")
              ? rule.bytes()
              : Long.MAX_VALUE;
      boolean complete = limit >= response.length();
      recordOnce(
          recorded,
          req,
          complete ? response.status() : RecordedRequest.DROPPED,
          counted.count,
          faultText);
      send(ex, req, response, limit);
    } catch (ConnectionDropped e) {
      LOG.debug("dropping connection of {} {}: {}", req.method(), req.path(), e.getMessage());
      recordOnce(recorded, req, RecordedRequest.DROPPED, counted.count, faultText);
      ex.close();
    } catch (IOException e) {
      LOG.debug("I/O error serving {} {}: {}", req.method(), req.path(), e.toString());
      recordOnce(recorded, req, RecordedRequest.DROPPED, counted.count, faultText);
      ex.close();
    } catch (RuntimeException e) {
      LOG.error("GcsTestServer failed on {} {}", req.method(), req.path(), e);
      recordOnce(recorded, req, 500, counted.count, faultText);
      try {
        req.drainBody();
        send(
            ex,
            req,
            GcsResponse.error(new GcsError(500, "internalError", e.toString())),
            Long.MAX_VALUE);
      } catch (IOException | RuntimeException inner) {
        ex.close();
      }
    }
  }

  /** Carries out a request (answering GCS errors as responses); batch parts come back here. */
  private GcsResponse dispatch(GcsRequest req) throws IOException {
    try {
      if (req.rawPath().equals(BatchHandler.PATH) && req.method().equals("POST")) {
        return BatchHandler.handle(req, this::dispatchPart);
      }
      return api.dispatch(req);
    } catch (GcsError e) {
      return GcsResponse.error(e);
    }
  }

  private GcsResponse dispatchPart(GcsRequest part) {
    ActiveFault fault = firingFault(part, true, null);
    GcsResponse response;
    if (fault != null) {
      response = GcsResponse.error(GcsError.forStatus(fault.rule().status()));
    } else {
      try {
        response = api.dispatch(part);
      } catch (GcsError e) {
        response = GcsResponse.error(e);
      } catch (IOException e) {
        response = GcsResponse.error(new GcsError(500, "internalError", e.toString()));
      }
    }
    record(
        part,
        response.status(),
        part.contentLength(),
        fault == null ? null : fault.rule().toString(),
        true);
    return response;
  }

  /**
   * A multipart upload from the google-cloud-storage client names its object only inside the body;
   * when a rule matches on object names, read that (small) body first to learn the name.
   */
  private boolean needsBodyForMatching(GcsRequest req) {
    return req.method().equals("POST")
        && req.rawPath().startsWith("/upload/")
        && "multipart".equals(req.param("uploadType"))
        && req.param("name") == null
        && faults.stream().anyMatch(f -> f.rule().matchesObjectNames() && f.active());
  }

  private ActiveFault firingFault(GcsRequest req, boolean batchPart, String peekedName) {
    if (faults.isEmpty()) {
      return null;
    }
    String objectName = peekedName != null ? peekedName : JsonApi.objectNameOf(req);
    for (ActiveFault f : faults) {
      if (batchPart && f.rule().action() != FaultRule.Action.RESPOND) {
        continue;
      }
      if (f.rule().matches(req, objectName) && f.tryFire()) {
        return f;
      }
    }
    return null;
  }

  /** Sends the response; returns false when it was cut short after {@code limit} body bytes. */
  private static boolean send(HttpExchange ex, GcsRequest req, GcsResponse response, long limit)
      throws IOException {
    response.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    long length = response.length();
    boolean noBody = length == 0 || response.status() == 304 || response.status() == 204;
    ex.sendResponseHeaders(response.status(), noBody ? -1 : length);
    if (noBody) {
      ex.close();
      return true;
    }
    OutputStream out = ex.getResponseBody();
    long written = response.writeBody(out, limit);
    if (written < length) {
      out.flush();
      // Closing before the declared length was written makes the JDK server drop the connection.
      ex.close();
      return false;
    }
    out.close();
    return true;
  }

  private void recordOnce(
      boolean[] recorded, GcsRequest req, int status, long bodyBytes, String fault) {
    if (!recorded[0]) {
      recorded[0] = true;
      record(req, status, bodyBytes, fault, false);
    }
  }

  private void record(GcsRequest req, int status, long bodyBytes, String fault, boolean batchPart) {
    log.add(
        new RecordedRequest(
            req.method(), req.path(), req.query(), status, bodyBytes, fault, batchPart));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionDropped("interrupted while delaying", e);
    }
  }

  /** Counts body bytes, and can break off after a number of them (dropAfterBytes). */
  private static final class CountingInputStream extends FilterInputStream {
    long count;
    long failAfter = Long.MAX_VALUE;

    CountingInputStream(InputStream in) {
      super(in);
    }

    void failAfter(long n) {
      failAfter = n;
    }

    @Override
    public int read() throws IOException {
      checkBudget();
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      checkBudget();
      int allowed = (int) Math.min(len, failAfter - count);
      int n = super.read(b, off, allowed);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    private void checkBudget() throws IOException {
      if (count >= failAfter) {
        throw new IOException("connection dropped by fault rule after " + count + " bytes");
      }
    }
  }
}
