package io.beamtrain.checkpointing.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.paging.Page;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageBatch;
import com.google.cloud.storage.StorageBatchResult;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The test server against GCS's documented JSON API behaviour: raw HTTP where the wire format is
 * the point (status codes, headers, error bodies, the resumable protocol), and the real
 * google-cloud-storage client where a client feature rides on it (rewrite, compose, batch).
 */
class GcsTestServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static GcsTestServer server;
  private static HttpClient http;
  private static Storage client;
  private String bucket;

  @BeforeAll
  static void start() {
    server = GcsTestServer.start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    client =
        StorageOptions.http()
            .setHost(server.endpoint())
            .setProjectId("test-project")
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    bucket = "server-" + BUCKETS.incrementAndGet();
    server.createBucket(bucket);
  }

  // --- errors -----------------------------------------------------------------------------------

  @Test
  void aMissingObjectIs404InGcsErrorFormat() throws Exception {
    HttpResponse<String> r = get("/storage/v1/b/" + bucket + "/o/no%2Fsuch");
    assertEquals(404, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals(404, error.get("code").asInt());
    assertEquals("No such object: " + bucket + "/no/such", error.get("message").asText());
    JsonNode detail = error.get("errors").get(0);
    assertEquals("global", detail.get("domain").asText());
    assertEquals("notFound", detail.get("reason").asText());
  }

  @Test
  void aMissingBucketSaysSo() throws Exception {
    HttpResponse<String> bucketGet = get("/storage/v1/b/nope-bucket");
    assertEquals(404, bucketGet.statusCode());
    assertEquals(
        "The specified bucket does not exist.",
        JSON.readTree(bucketGet.body()).get("error").get("message").asText());
    HttpResponse<String> objectGet = get("/storage/v1/b/nope-bucket/o/x");
    assertEquals(404, objectGet.statusCode());
    assertEquals(
        "The specified bucket does not exist.",
        JSON.readTree(objectGet.body()).get("error").get("message").asText());
  }

  @Test
  void unimplementedFeaturesAnswer501() throws Exception {
    HttpResponse<String> r = get("/storage/v1/b/" + bucket + "/o?matchGlob=**.txt");
    assertEquals(501, r.statusCode());
    assertTrue(r.body().contains("matchGlob"), r.body());
  }

  // --- preconditions ----------------------------------------------------------------------------

  /**
   * Writes (media upload) against an existing object of generation G, metageneration 1, or a
   * missing one. "G" and "G+1" stand for the live generation and another.
   */
  @ParameterizedTest(name = "{0} {1}={2} -> {3}")
  @CsvSource({
    "existing, ifGenerationMatch, 0, 412",
    "existing, ifGenerationMatch, G, 200",
    "existing, ifGenerationMatch, G+1, 412",
    "existing, ifGenerationNotMatch, G, 412",
    "existing, ifGenerationNotMatch, G+1, 200",
    "existing, ifMetagenerationMatch, 1, 200",
    "existing, ifMetagenerationMatch, 2, 412",
    "existing, ifMetagenerationNotMatch, 1, 412",
    "missing, ifGenerationMatch, 0, 200",
    "missing, ifGenerationMatch, 5, 412",
    "missing, ifGenerationNotMatch, 0, 412",
    "missing, ifGenerationNotMatch, 5, 200",
    "missing, ifMetagenerationMatch, 1, 412",
    "missing, ifMetagenerationNotMatch, 1, 200",
  })
  void writePreconditions(String state, String param, String value, int expected) throws Exception {
    long g = state.equals("existing") ? server.putObject(bucket, "obj", bytes("old")) : 0;
    String v = value.replace("G+1", Long.toString(g + 1)).replace("G", Long.toString(g));
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/upload/storage/v1/b/"
                            + bucket
                            + "/o?uploadType=media&name=obj&"
                            + param
                            + "="
                            + v))
                .POST(HttpRequest.BodyPublishers.ofString("new")));
    assertEquals(expected, r.statusCode(), r.body());
    if (expected == 412) {
      JsonNode error = JSON.readTree(r.body()).get("error");
      assertEquals("conditionNotMet", error.get("errors").get(0).get("reason").asText());
      assertEquals(
          state.equals("existing") ? "old" : null,
          text(server.getObject(bucket, "obj").orElse(null)));
    } else {
      assertEquals("new", text(server.getObject(bucket, "obj").orElseThrow()));
    }
  }

  @ParameterizedTest(name = "GET {0}={1} -> {2}")
  @CsvSource({
    "ifGenerationMatch, G, 200",
    "ifGenerationMatch, G+1, 412",
    "ifGenerationNotMatch, G, 304",
    "ifGenerationNotMatch, G+1, 200",
    "ifMetagenerationMatch, 2, 412",
    "ifMetagenerationNotMatch, 1, 304",
    "generation, G, 200",
    "generation, G+1, 404",
  })
  void readPreconditions(String param, String value, int expected) throws Exception {
    long g = server.putObject(bucket, "obj", bytes("x"));
    String v = value.replace("G+1", Long.toString(g + 1)).replace("G", Long.toString(g));
    assertEquals(
        expected, get("/storage/v1/b/" + bucket + "/o/obj?" + param + "=" + v).statusCode());
    assertEquals(
        expected,
        get("/storage/v1/b/" + bucket + "/o/obj?alt=media&" + param + "=" + v).statusCode());
  }

  @Test
  void patchBumpsTheMetagenerationButNotTheGeneration() throws Exception {
    long g = server.putObject(bucket, "obj", bytes("x"));
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                    uri("/storage/v1/b/" + bucket + "/o/obj?ifMetagenerationMatch=1"))
                .method(
                    "PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"k\":\"v\"}}"))
                .header("Content-Type", "application/json"));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode o = JSON.readTree(r.body());
    assertEquals(Long.toString(g), o.get("generation").asText());
    assertEquals("2", o.get("metageneration").asText());
    assertEquals("v", o.get("metadata").get("k").asText());
    HttpResponse<String> stale =
        send(
            HttpRequest.newBuilder(
                    uri("/storage/v1/b/" + bucket + "/o/obj?ifMetagenerationMatch=1"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(412, stale.statusCode());
  }

  // --- object resource and downloads -------------------------------------------------------------

  @Test
  void theObjectResourceCarriesSizeHashesAndGenerations() throws Exception {
    byte[] data = randomBytes(100_000, 1);
    long g = server.putObject(bucket, "dir/obj.bin", data);
    JsonNode o = JSON.readTree(get("/storage/v1/b/" + bucket + "/o/dir%2Fobj.bin").body());
    assertEquals("storage#object", o.get("kind").asText());
    assertEquals("dir/obj.bin", o.get("name").asText());
    assertEquals(bucket, o.get("bucket").asText());
    assertEquals(Long.toString(g), o.get("generation").asText());
    assertEquals("1", o.get("metageneration").asText());
    assertEquals("100000", o.get("size").asText());
    assertEquals(md5(data), o.get("md5Hash").asText());
    assertEquals(crc32c(data), o.get("crc32c").asText());
    assertTrue(
        o.get("updated").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
  }

  @ParameterizedTest(name = "Range {0} -> {1} {2}")
  @CsvSource({
    "bytes=10-19, 206, bytes 10-19/100",
    "bytes=90-, 206, bytes 90-99/100",
    "bytes=-5, 206, bytes 95-99/100",
    "bytes=95-500, 206, bytes 95-99/100",
    "bytes=100-, 416, bytes */100",
  })
  void rangedDownloads(String range, int status, String contentRange) throws Exception {
    byte[] data = randomBytes(100, 2);
    long g = server.putObject(bucket, "r", data);
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(uri("/storage/v1/b/" + bucket + "/o/r?alt=media"))
                .header("Range", range)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(status, r.statusCode());
    assertEquals(contentRange, r.headers().firstValue("Content-Range").orElseThrow());
    if (status == 206) {
      String[] span = contentRange.substring(6, contentRange.indexOf('/')).split("-");
      int from = Integer.parseInt(span[0]);
      int to = Integer.parseInt(span[1]);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, from, to + 1), r.body());
      assertEquals(Long.toString(g), r.headers().firstValue("x-goog-generation").orElseThrow());
      assertEquals("100", r.headers().firstValue("x-goog-stored-content-length").orElseThrow());
      assertEquals(
          "crc32c=" + crc32c(data) + ",md5=" + md5(data),
          r.headers().firstValue("x-goog-hash").orElseThrow());
    }
  }

  // --- resumable protocol
  // -------------------------------------------------------------------------

  @Test
  void resumableUploadFollowsTheDocumentedProtocol() throws Exception {
    byte[] data = randomBytes(700_000, 3);
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/upload/storage/v1/b/"
                            + bucket
                            + "/o?uploadType=resumable&ifGenerationMatch=0"))
                .header("Content-Type", "application/json; charset=UTF-8")
                .header("X-Upload-Content-Type", "application/x-test")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"big/obj\",\"metadata\":{\"a\":\"b\"}}")));
    assertEquals(200, start.statusCode(), start.body());
    URI session = URI.create(start.headers().firstValue("Location").orElseThrow());
    assertEquals(1, server.openResumableSessions());

    // Nothing received yet: 308 without a Range header.
    HttpResponse<String> query0 = put(session, "bytes */*", new byte[0]);
    assertEquals(308, query0.statusCode());
    assertTrue(query0.headers().firstValue("Range").isEmpty());

    // A non-final chunk that is not a multiple of 256 KiB persists only whole units.
    HttpResponse<String> chunk1 = put(session, "bytes 0-299999/*", slice(data, 0, 300_000));
    assertEquals(308, chunk1.statusCode());
    assertEquals("bytes=0-262143", chunk1.headers().firstValue("Range").orElseThrow());
    assertEquals(
        "bytes=0-262143",
        put(session, "bytes */*", new byte[0]).headers().firstValue("Range").orElseThrow());

    // A chunk starting past the persisted size is refused.
    HttpResponse<String> gap = put(session, "bytes 300000-399999/*", slice(data, 300_000, 400_000));
    assertEquals(503, gap.statusCode());
    assertTrue(gap.body().contains("exceeds already uploaded size of 262144"), gap.body());

    // Resending from an earlier offset is fine; overlapping bytes are skipped.
    HttpResponse<String> chunk2 = put(session, "bytes 0-524287/*", slice(data, 0, 524_288));
    assertEquals("bytes=0-524287", chunk2.headers().firstValue("Range").orElseThrow());
    assertFalse(server.getObject(bucket, "big/obj").isPresent(), "visible before finalization");

    HttpResponse<String> last =
        put(session, "bytes 524288-699999/700000", slice(data, 524_288, 700_000));
    assertEquals(200, last.statusCode(), last.body());
    JsonNode o = JSON.readTree(last.body());
    assertEquals("700000", o.get("size").asText());
    assertEquals(md5(data), o.get("md5Hash").asText());
    assertEquals(crc32c(data), o.get("crc32c").asText());
    assertEquals("application/x-test", o.get("contentType").asText());
    assertEquals("b", o.get("metadata").get("a").asText());
    assertArrayEquals(data, server.getObject(bucket, "big/obj").orElseThrow());
    assertEquals(0, server.openResumableSessions());

    // Asking a finished session again answers with the object.
    HttpResponse<String> after = put(session, "bytes */700000", new byte[0]);
    assertEquals(200, after.statusCode());
    assertEquals(
        o.get("generation").asText(), JSON.readTree(after.body()).get("generation").asText());
  }

  @Test
  void aResumableSessionTakesItsPreconditionAtTheStartAndChecksItAtTheEnd() throws Exception {
    server.putObject(bucket, "exists", bytes("old"));
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/upload/storage/v1/b/"
                            + bucket
                            + "/o?uploadType=resumable&name=exists&ifGenerationMatch=0"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, start.statusCode(), "GCS does not check preconditions at initiation");
    String location = start.headers().firstValue("Location").orElseThrow();
    assertTrue(
        location.contains("ifGenerationMatch=0") && location.contains("upload_id="), location);
    HttpResponse<String> fin = put(URI.create(location), "bytes 0-2/3", bytes("new"));
    assertEquals(412, fin.statusCode());
    assertEquals("old", text(server.getObject(bucket, "exists").orElseThrow()));
  }

  @Test
  void aResumableSessionChecksItsPreconditionWhenFinalized() throws Exception {
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/upload/storage/v1/b/"
                            + bucket
                            + "/o?uploadType=resumable&name=raced&ifGenerationMatch=0"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    URI session = URI.create(start.headers().firstValue("Location").orElseThrow());
    server.putObject(bucket, "raced", bytes("someone else"));
    HttpResponse<String> fin = put(session, "bytes 0-2/3", bytes("me!"));
    assertEquals(412, fin.statusCode());
    assertEquals("someone else", text(server.getObject(bucket, "raced").orElseThrow()));
  }

  @ParameterizedTest(name = "multipart upload declaring {0} -> {1}")
  @CsvSource({"right, 200", "wrong, 400"})
  void multipartUploadsVerifyTheDeclaredChecksum(String which, int expected) throws Exception {
    String declared = crc32c(bytes(which.equals("right") ? "content" : "other"));
    String boundary = "b0undary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            + "{\"name\":\"checked\",\"crc32c\":\""
            + declared
            + "\"}\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: text/plain\r\n\r\n"
            + "content\r\n--"
            + boundary
            + "--\r\n";
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                    uri("/upload/storage/v1/b/" + bucket + "/o?uploadType=multipart"))
                .header("Content-Type", "multipart/related; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(expected, r.statusCode(), r.body());
    assertEquals(expected == 200, server.getObject(bucket, "checked").isPresent());
    if (expected == 200) {
      assertEquals("text/plain", JSON.readTree(r.body()).get("contentType").asText());
      assertEquals("content", text(server.getObject(bucket, "checked").orElseThrow()));
    }
  }

  // --- listing
  // ------------------------------------------------------------------------------------

  @Test
  void listingWithADelimiterPagesOverItemsAndPrefixesTogether() throws Exception {
    for (String n : List.of("a/1", "a/2", "b/1", "b/c/2", "c", "d")) {
      server.putObject(bucket, n, bytes(n));
    }
    JsonNode page1 =
        JSON.readTree(get("/storage/v1/b/" + bucket + "/o?delimiter=/&maxResults=3").body());
    assertEquals(List.of("a/", "b/"), texts(page1.get("prefixes")));
    assertEquals(List.of("c"), names(page1.get("items")));
    String token = page1.get("nextPageToken").asText();
    JsonNode page2 =
        JSON.readTree(
            get("/storage/v1/b/" + bucket + "/o?delimiter=/&maxResults=3&pageToken=" + token)
                .body());
    assertEquals(List.of("d"), names(page2.get("items")));
    assertNull(page2.get("prefixes"));
    assertNull(page2.get("nextPageToken"));

    JsonNode underB =
        JSON.readTree(get("/storage/v1/b/" + bucket + "/o?prefix=b/&delimiter=/").body());
    assertEquals(List.of("b/1"), names(underB.get("items")));
    assertEquals(List.of("b/c/"), texts(underB.get("prefixes")));

    JsonNode none = JSON.readTree(get("/storage/v1/b/" + bucket + "/o?prefix=zzz").body());
    assertNull(none.get("items"), "GCS omits items when there are none");
  }

  @Test
  void theClientPagesThroughAPrefixAndSeesDirectories() {
    for (int i = 0; i < 5; i++) {
      server.putObject(bucket, "run/trial-" + i + "/checkpoint", bytes("x"));
    }
    server.putObject(bucket, "run/results.jsonl", bytes("x"));
    Page<Blob> page =
        client.list(
            bucket,
            Storage.BlobListOption.prefix("run/"),
            Storage.BlobListOption.currentDirectory(),
            Storage.BlobListOption.pageSize(2));
    List<String> names = new ArrayList<>();
    page.iterateAll().forEach(b -> names.add(b.getName() + (b.isDirectory() ? " (dir)" : "")));
    assertEquals(
        List.of(
            "run/results.jsonl",
            "run/trial-0/ (dir)",
            "run/trial-1/ (dir)",
            "run/trial-2/ (dir)",
            "run/trial-3/ (dir)",
            "run/trial-4/ (dir)"),
        names.stream().sorted().toList());
  }

  // --- rewrite, compose, batch through the real client
  // --------------------------------------------

  @Test
  void copyGoesThroughRewrite() {
    byte[] data = randomBytes(50_000, 4);
    server.putObject(bucket, "src", data);
    server.clearRequests();
    Blob copy =
        client
            .copy(Storage.CopyRequest.of(BlobId.of(bucket, "src"), BlobId.of(bucket, "dst")))
            .getResult();
    assertEquals(50_000L, copy.getSize());
    assertArrayEquals(data, server.getObject(bucket, "dst").orElseThrow());
    assertTrue(server.requests().stream().anyMatch(r -> r.path().contains("/rewriteTo/")));
  }

  @Test
  void composeConcatenates() {
    server.putObject(bucket, "p1", bytes("hello "));
    server.putObject(bucket, "p2", bytes("world"));
    Blob composed =
        client.compose(
            Storage.ComposeRequest.newBuilder()
                .addSource("p1", "p2")
                .setTarget(BlobInfo.newBuilder(bucket, "whole").build())
                .build());
    assertEquals(2, composed.getComponentCount());
    assertEquals("hello world", text(server.getObject(bucket, "whole").orElseThrow()));
    assertEquals(crc32c(bytes("hello world")), composed.getCrc32c());
  }

  @Test
  void batchRequestsAreAnsweredPartByPart() {
    server.putObject(bucket, "keep", bytes("k"));
    server.putObject(bucket, "drop", bytes("d"));
    StorageBatch batch = client.batch();
    StorageBatchResult<Blob> got = batch.get(BlobId.of(bucket, "keep"));
    StorageBatchResult<Blob> missing = batch.get(BlobId.of(bucket, "absent"));
    StorageBatchResult<Boolean> deleted = batch.delete(BlobId.of(bucket, "drop"));
    batch.submit();
    assertEquals(1L, got.get().getSize());
    assertNull(missing.get());
    assertTrue(deleted.get());
    assertEquals(List.of("keep"), server.objectNames(bucket));
    assertEquals(3, server.requests(RecordedRequest::batchPart).size());
  }

  // --- fault rules
  // ----------------------------------------------------------------------------------

  @Test
  void faultRulesMatchTheObjectNameEvenOnResumableChunks() throws Exception {
    server.addFault(
        FaultRule.on("PUT", "/upload/.*").forObject(".+/checkpoint").respond(503).times(1));
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/upload/storage/v1/b/"
                            + bucket
                            + "/o?uploadType=resumable&name=run/checkpoint"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    URI session = URI.create(start.headers().firstValue("Location").orElseThrow());
    assertEquals(503, put(session, "bytes 0-0/1", bytes("x")).statusCode());
    assertEquals(200, put(session, "bytes 0-0/1", bytes("x")).statusCode());
    server.clearFaults();
  }

  @Test
  void skipAndTimesBoundWhichRequestsAFaultHits() throws Exception {
    GcsTestServer.ActiveFault f =
        server.addFault(FaultRule.on("GET", "/storage/v1/b/[^/]+").respond(500).skip(1).times(2));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(get("/storage/v1/b/" + bucket).statusCode());
    }
    assertEquals(List.of(200, 500, 500, 200, 200), statuses);
    assertEquals(2, f.fired());
    assertFalse(f.active());
  }

  @Test
  void aDroppedConnectionGivesTheClientNoAnswer() {
    server.addFault(FaultRule.on("GET", "/storage/v1/b/[^/]+").dropConnection());
    assertThrows(IOException.class, () -> get("/storage/v1/b/" + bucket));
    server.clearFaults();
  }

  // --- helpers
  // ------------------------------------------------------------------------------------

  private static URI uri(String pathAndQuery) {
    return URI.create(server.endpoint() + pathAndQuery);
  }

  private static HttpResponse<String> get(String pathAndQuery)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  private static HttpResponse<String> put(URI session, String contentRange, byte[] body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(session)
            .header("Content-Range", contentRange)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> names(JsonNode items) {
    List<String> out = new ArrayList<>();
    items.forEach(i -> out.add(i.get("name").asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(i -> out.add(i.asText()));
    return out;
  }

  private static byte[] slice(byte[] data, int from, int to) {
    return java.util.Arrays.copyOfRange(data, from, to);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String md5(byte[] data) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
  }

  private static String crc32c(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    long v = c.getValue();
    return Base64.getEncoder()
        .encodeToString(
            new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }
}
