package io.beamtrain.checkpointing.storage;

import com.google.api.gax.paging.Page;
import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.Storage.BucketField;
import com.google.cloud.storage.Storage.BucketGetOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google Cloud Storage backend over the google-cloud-storage client (JSON API, HTTP transport).
 *
 * <p>Every write carries a generation precondition, so the client may retry it safely: {@code
 * ifGenerationMatch=0} for a new object, {@code ifGenerationMatch=<live generation>} (read just
 * before) to replace one. Every write also stores a random write id in the object's metadata
 * ({@value #WRITE_ID_KEY}); when a retried write answers 412 because the client's earlier attempt
 * had landed (its response was lost), the write id tells our own object from another writer's.
 *
 * <p>Objects smaller than {@link StorageConfig#resumableThresholdBytes()} go up in one multipart
 * request; larger ones through a resumable session, which the client resumes from the persisted
 * offset after a broken connection. {@link #openWrite} buffers up to the threshold and switches to
 * a resumable session beyond it; either way the object appears only when the stream is closed.
 *
 * <p>Reads pin the generation they started with: a stream whose object is replaced while it is read
 * fails with NOT_FOUND rather than mixing two versions. Nothing checks or creates "directories". A
 * 404 is told apart into {@link StorageException.Kind#NOT_FOUND} (no object) and {@link
 * StorageException.Kind#BUCKET_NOT_FOUND} by one bucket lookup (remembered once it succeeds).
 * Failures that retrying cannot fix (missing bucket, 401/403, unreachable endpoint) are not retried
 * (see {@link FailFastRetryStrategy}); transient ones are retried within {@link
 * StorageConfig#retry()}.
 *
 * <p>Thread-safe; one instance per {@link StorageConfig} (see {@link Storages}).
 */
final class GcsStorage implements Storage {
  /** Custom metadata key holding the id of the write that created an object generation. */
  static final String WRITE_ID_KEY = "beamtrain-write-id";

  /** How often a replacing write re-reads the generation when other writers keep changing it. */
  private static final int MAX_CONFLICT_ATTEMPTS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(GcsStorage.class);

  private final StorageConfig config;
  private final com.google.cloud.storage.Storage client;
  private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();

  GcsStorage(StorageConfig config) {
    this.config = config;
    this.client = GcsClients.create(config);
  }

  StorageConfig config() {
    return config;
  }

  @Override
  public byte[] readBytes(String path) {
    GcsPath p = GcsPath.object(path);
    return call(p, "read", () -> readPinned(p, liveOrThrow(p))).data();
  }

  @Override
  public InputStream openRead(String path) {
    GcsPath p = GcsPath.object(path);
    return call(
        p,
        "open for reading",
        () -> {
          Blob blob = liveOrThrow(p);
          ReadChannel channel =
              client.reader(BlobId.of(p.bucket(), p.name(), blob.getGeneration()));
          return new GcsInputStream(Channels.newInputStream(channel), p);
        });
  }

  @Override
  public void writeBytes(String path, byte[] data) {
    GcsPath p = GcsPath.object(path);
    call(
        p,
        "write",
        () -> {
          replace(p, data, data.length);
          return null;
        });
  }

  @Override
  public OutputStream openWrite(String path) {
    return new GcsOutputStream(this, GcsPath.object(path));
  }

  @Override
  public void upload(Path localFile, String path) {
    GcsPath p = GcsPath.object(path);
    long size;
    try {
      size = Files.size(localFile);
    } catch (NoSuchFileException e) {
      throw new StorageException(
          StorageException.Kind.NOT_FOUND,
          localFile.toString(),
          "local file to upload not found",
          e);
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Kind.OTHER, localFile.toString(), "cannot read local file: " + e, e);
    }
    if (size < config.resumableThresholdBytes()) {
      byte[] data;
      try {
        data = Files.readAllBytes(localFile);
      } catch (IOException e) {
        throw new StorageException(
            StorageException.Kind.OTHER, localFile.toString(), "cannot read local file: " + e, e);
      }
      writeBytes(path, data);
      return;
    }
    call(
        p,
        "upload from " + localFile,
        () -> {
          for (int attempt = 1; ; attempt++) {
            long expected = liveGeneration(p);
            String writeId = newWriteId();
            try {
              client.createFrom(blobInfo(p, writeId), localFile, writeCondition(expected));
              return null;
            } catch (BaseServiceException e) {
              if (GcsErrors.httpStatus(e) != 412) {
                throw e;
              }
              if (landedOurs(p, writeId)) {
                return null;
              }
              checkConflictBudget(p, attempt);
            }
          }
        });
  }

  @Override
  public void download(String path, Path localFile) {
    GcsPath p = GcsPath.object(path);
    Path target = localFile.toAbsolutePath();
    Path temp =
        target.resolveSibling(
            LocalStorage.TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Kind.OTHER,
          localFile.toString(),
          "cannot create local directory: " + e,
          e);
    }
    try {
      call(
          p,
          "download to " + localFile,
          () -> {
            for (int attempt = 1; ; attempt++) {
              Blob blob = liveOrThrow(p);
              try {
                client.downloadTo(BlobId.of(p.bucket(), p.name(), blob.getGeneration()), temp);
                return null;
              } catch (BaseServiceException e) {
                // 404 on a pinned generation: the object was replaced while we read it; read the
                // new one.
                if (GcsErrors.httpStatus(e) != 404) {
                  throw e;
                }
                checkConflictBudget(p, attempt);
              }
            }
          });
      moveIntoPlace(temp, target);
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Kind.OTHER,
          localFile.toString(),
          "cannot move the download into place: " + e,
          e);
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public List<StorageObject> list(String prefix) {
    GcsPath p = GcsPath.prefix(prefix);
    return call(
        p,
        "list",
        () -> {
          List<BlobListOption> options = new ArrayList<>();
          options.add(BlobListOption.pageSize(config.listPageSize()));
          if (!p.name().isEmpty()) {
            options.add(BlobListOption.prefix(p.name()));
          }
          Page<Blob> page = client.list(p.bucket(), options.toArray(new BlobListOption[0]));
          List<StorageObject> out = new ArrayList<>();
          for (Blob blob : page.iterateAll()) {
            // Folder placeholders made by other tools are not objects of ours.
            if (!blob.getName().endsWith("/")) {
              out.add(toStorageObject(p.bucket(), blob));
            }
          }
          out.sort(Comparator.comparing(StorageObject::path));
          return out;
        });
  }

  @Override
  public boolean delete(String path) {
    GcsPath p = GcsPath.object(path);
    return call(
        p,
        "delete",
        () -> {
          boolean existed = false;
          for (int attempt = 1; ; attempt++) {
            Blob blob = live(p);
            if (blob == null) {
              return existed;
            }
            existed = true;
            // Deleting one generation is idempotent, so the client retries it; a 404 means that
            // generation is gone (our retried attempt, or a replacement) and the next look decides.
            if (client.delete(BlobId.of(p.bucket(), p.name(), blob.getGeneration()))) {
              return true;
            }
            checkConflictBudget(p, attempt);
          }
        });
  }

  @Override
  public boolean exists(String path) {
    return stat(path).isPresent();
  }

  @Override
  public Optional<StorageObject> stat(String path) {
    GcsPath prefix = GcsPath.prefix(path);
    if (prefix.name().isEmpty() || prefix.name().endsWith("/")) {
      // A "directory" is only a prefix here, never an object of ours (as on local disk).
      return Optional.empty();
    }
    GcsPath p = GcsPath.object(path);
    return call(
        p, "stat", () -> Optional.ofNullable(live(p)).map(b -> toStorageObject(p.bucket(), b)));
  }

  @Override
  public Optional<VersionedBytes> readVersioned(String path) {
    GcsPath p = GcsPath.object(path);
    return call(
        p,
        "read",
        () -> {
          Blob blob = live(p);
          return blob == null ? Optional.empty() : Optional.of(readPinned(p, blob));
        });
  }

  @Override
  public boolean compareAndSet(String path, byte[] data, long expectedGeneration) {
    GcsPath p = GcsPath.object(path);
    return call(
        p, "compare-and-set", () -> writeIfGeneration(p, data, data.length, expectedGeneration));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /** Replaces the object with {@code data[0, length)}, whatever its generation. */
  void replace(GcsPath p, byte[] data, int length) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (writeIfGeneration(p, data, length, liveGeneration(p))) {
        return;
      }
      checkConflictBudget(p, attempt);
    }
  }

  /**
   * Writes if the live generation is {@code expected} (0: absent). Returns false on 412 unless the
   * object now there is our own write (an earlier attempt of the client's retry loop that landed).
   */
  private boolean writeIfGeneration(GcsPath p, byte[] data, int length, long expected)
      throws IOException {
    String writeId = newWriteId();
    if (length >= config.resumableThresholdBytes()) {
      ResumableUpload upload = startResumable(p, writeId, expected);
      upload.write(data, 0, length);
      return upload.finish();
    }
    try {
      client.create(blobInfo(p, writeId), data, 0, length, targetCondition(expected));
      return true;
    } catch (BaseServiceException e) {
      if (GcsErrors.httpStatus(e) != 412) {
        throw e;
      }
      return landedOurs(p, writeId);
    }
  }

  /**
   * Starts a resumable session that replaces the live object of {@code p} (for openWrite). GCS
   * checks the generation precondition when the session is finalized.
   */
  ResumableUpload startResumable(GcsPath p) {
    return call(p, "start upload", () -> startResumable(p, newWriteId(), liveGeneration(p)));
  }

  private ResumableUpload startResumable(GcsPath p, String writeId, long expected) {
    WriteChannel channel = client.writer(blobInfo(p, writeId), writeCondition(expected));
    channel.setChunkSize(config.uploadChunkBytes());
    return new ResumableUpload(p, writeId, channel);
  }

  /**
   * One resumable upload. Nothing is visible until {@link #finish}; an upload that is never
   * finished is abandoned (GCS expires the session), so a failed stream leaves no object. Its
   * methods throw the client's exceptions; callers convert them with {@link #call}.
   */
  final class ResumableUpload {
    private final GcsPath path;
    private final String writeId;
    private final WriteChannel channel;

    private ResumableUpload(GcsPath path, String writeId, WriteChannel channel) {
      this.path = path;
      this.writeId = writeId;
      this.channel = channel;
    }

    GcsPath path() {
      return path;
    }

    void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    }

    /**
     * Finalizes the object. Returns false when another writer replaced the object during the upload
     * (412 and the object there is not ours).
     */
    boolean finish() throws IOException {
      try {
        channel.close();
        return true;
      } catch (IOException | BaseServiceException e) {
        if (GcsErrors.httpStatus(e) == 412) {
          return landedOurs(path, writeId);
        }
        throw e;
      }
    }
  }

  private static BlobInfo blobInfo(GcsPath p, String writeId) {
    return BlobInfo.newBuilder(p.bucket(), p.name())
        .setContentType("application/octet-stream")
        .setMetadata(Map.of(WRITE_ID_KEY, writeId))
        .build();
  }

  private static BlobTargetOption targetCondition(long expected) {
    return expected == StorageObject.NO_GENERATION
        ? BlobTargetOption.doesNotExist()
        : BlobTargetOption.generationMatch(expected);
  }

  private static BlobWriteOption writeCondition(long expected) {
    return expected == StorageObject.NO_GENERATION
        ? BlobWriteOption.doesNotExist()
        : BlobWriteOption.generationMatch(expected);
  }

  private boolean landedOurs(GcsPath p, String writeId) {
    Blob now = client.get(BlobId.of(p.bucket(), p.name()));
    boolean ours =
        now != null
            && now.getMetadata() != null
            && writeId.equals(now.getMetadata().get(WRITE_ID_KEY));
    if (ours) {
      LOG.debug(
          "{}: a retried write answered 412 but the object is our own earlier attempt", p.uri());
    }
    return ours;
  }

  private static void checkConflictBudget(GcsPath p, int attempt) {
    if (attempt >= MAX_CONFLICT_ATTEMPTS) {
      throw new StorageException(
          StorageException.Kind.PRECONDITION_FAILED,
          p.uri(),
          "the object kept changing under concurrent writers (" + attempt + " attempts)");
    }
  }

  private static String newWriteId() {
    return UUID.randomUUID().toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Reads and metadata

  /** Reads exactly the generation of {@code blob}; re-reads the new one if it was replaced. */
  private VersionedBytes readPinned(GcsPath p, Blob blob) throws IOException {
    Blob current = blob;
    for (int attempt = 1; ; attempt++) {
      long size = current.getSize();
      if (size > Integer.MAX_VALUE - 8) {
        throw new StorageException(
            StorageException.Kind.OTHER,
            p.uri(),
            "object of "
                + size
                + " bytes is too large to read into memory; use openRead or download");
      }
      byte[] data = new byte[(int) size];
      try (ReadChannel channel =
          client.reader(BlobId.of(p.bucket(), p.name(), current.getGeneration()))) {
        channel.setChunkSize(0);
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          if (channel.read(buf) < 0) {
            throw new StorageException(
                StorageException.Kind.OTHER,
                p.uri(),
                "object ended after " + buf.position() + " of " + size + " bytes");
          }
        }
        return new VersionedBytes(data, current.getGeneration());
      } catch (IOException | BaseServiceException e) {
        if (GcsErrors.httpStatus(e) != 404) {
          throw e;
        }
        checkConflictBudget(p, attempt);
        current = liveOrThrow(p);
      }
    }
  }

  /** The live object, or null when it does not exist (and its bucket does). */
  private Blob live(GcsPath p) {
    Blob blob = client.get(BlobId.of(p.bucket(), p.name()));
    if (blob == null) {
      requireBucket(p);
    }
    return blob;
  }

  private Blob liveOrThrow(GcsPath p) {
    Blob blob = live(p);
    if (blob == null) {
      throw new StorageException(StorageException.Kind.NOT_FOUND, p.uri(), "no such object");
    }
    return blob;
  }

  private long liveGeneration(GcsPath p) {
    Blob blob = live(p);
    return blob == null ? StorageObject.NO_GENERATION : blob.getGeneration();
  }

  /**
   * Throws BUCKET_NOT_FOUND unless the bucket exists. A 403 on the bucket lookup (object-level
   * permissions only) counts as existing: the object operation will report its own error.
   */
  private void requireBucket(GcsPath p) {
    if (knownBuckets.contains(p.bucket())) {
      return;
    }
    try {
      Bucket bucket = client.get(p.bucket(), BucketGetOption.fields(BucketField.NAME));
      if (bucket == null) {
        throw new StorageException(
            StorageException.Kind.BUCKET_NOT_FOUND,
            p.uri(),
            "bucket '"
                + p.bucket()
                + "' does not exist (at "
                + config.effectiveGcsEndpoint()
                + ")");
      }
      knownBuckets.add(p.bucket());
    } catch (BaseServiceException e) {
      if (GcsErrors.httpStatus(e) != 403) {
        throw e;
      }
    }
  }

  private static StorageObject toStorageObject(String bucket, Blob blob) {
    Instant updated =
        blob.getUpdateTimeOffsetDateTime() == null
            ? Instant.EPOCH
            : blob.getUpdateTimeOffsetDateTime().toInstant();
    return new StorageObject(
        StoragePaths.GCS_SCHEME + bucket + "/" + blob.getName(),
        blob.getSize() == null ? 0 : blob.getSize(),
        blob.getGeneration(),
        updated);
  }

  // ---------------------------------------------------------------------------------------------
  // Error boundary

  /** Runs {@code body}, converting client failures into {@link StorageException}s for {@code p}. */
  <T> T call(GcsPath p, String operation, Callable<T> body) {
    long start = System.nanoTime();
    try {
      return body.call();
    } catch (StorageException e) {
      throw e;
    } catch (Exception e) {
      if (GcsErrors.httpStatus(e) == 404) {
        requireBucket(p);
        throw new StorageException(
            StorageException.Kind.NOT_FOUND, p.uri(), operation + " failed: no such object", e);
      }
      throw GcsErrors.convert(
          e, p.uri(), operation, Duration.ofNanos(System.nanoTime() - start), config);
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // Harmless: the temp file is hidden from listings by its TEMP_PREFIX name.
      LOG.warn("could not delete temp file {}: {}", temp, e.getMessage());
    }
  }

  /** Converts read failures of a download stream into {@link StorageException}s naming the path. */
  private final class GcsInputStream extends java.io.FilterInputStream {
    private final GcsPath path;

    GcsInputStream(InputStream in, GcsPath path) {
      super(in);
      this.path = path;
    }

    @Override
    public int read() {
      return call(path, "read", super::read);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return call(path, "read", () -> super.read(b, off, len));
    }

    @Override
    public void close() {
      call(
          path,
          "close",
          () -> {
            super.close();
            return null;
          });
    }
  }
}
