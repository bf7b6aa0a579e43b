package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Storage} backend promises, run against each backend by a subclass.
 * Subclasses provide a fresh, empty root per test and hooks for backend-specific assertions.
 */
abstract class StorageContractTest {
  /** Objects of at least this size take the large-object path (resumable on GCS). */
  static final int LARGE = 3 * (1 << 20) + 12345;

  @TempDir Path localTemp;

  /** The backend under test. */
  abstract Storage storage();

  /** A fresh "directory" for this test, ending without '/'. */
  abstract String root();

  /** Called after a large object went up; GCS checks that a resumable session was used. */
  void assertLargeUploadWasResumable(String path) {}

  /** Called after a deep write; GCS checks that no marker objects or parent lookups happened. */
  void assertOnlyObjectsAre(List<String> paths) {}

  String path(String relative) {
    return StoragePaths.join(root(), relative);
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void writeBytesThenReadBytesRoundTrips() {
    byte[] data = "hello, object store".getBytes(StandardCharsets.UTF_8);
    storage().writeBytes(path("a.txt"), data);
    assertArrayEquals(data, storage().readBytes(path("a.txt")));
  }

  @Test
  void writeBytesReplacesAndChangesGeneration() {
    String p = path("state");
    storage().writeBytes(p, bytes("one"));
    long first = storage().stat(p).orElseThrow().generation();
    storage().writeBytes(p, bytes("two, longer"));
    StorageObject second = storage().stat(p).orElseThrow();
    assertArrayEquals(bytes("two, longer"), storage().readBytes(p));
    assertNotEquals(first, second.generation());
    assertEquals(11, second.size());
  }

  @Test
  void emptyObjectRoundTrips() {
    storage().writeBytes(path("empty"), new byte[0]);
    assertArrayEquals(new byte[0], storage().readBytes(path("empty")));
    assertEquals(0, storage().stat(path("empty")).orElseThrow().size());
  }

  @Test
  void namesWithSpacesPlusPercentAndUnicodeRoundTrip() {
    String p = path("odd names/a b+c%20d/ü-ñ.txt");
    storage().writeBytes(p, bytes("odd"));
    assertArrayEquals(bytes("odd"), storage().readBytes(p));
    List<StorageObject> listed = storage().list(path("odd names/"));
    assertEquals(1, listed.size());
    assertTrue(listed.get(0).path().endsWith("a b+c%20d/ü-ñ.txt"), listed.get(0).path());
  }

  @Test
  void readingAMissingObjectIsNotFoundNamingThePath() {
    String p = path("missing");
    StorageException e = assertThrows(StorageException.class, () -> storage().readBytes(p));
    assertEquals(StorageException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
    StorageException e2 = assertThrows(StorageException.class, () -> storage().openRead(p));
    assertEquals(StorageException.Kind.NOT_FOUND, e2.kind());
  }

  @Test
  void openWriteIsInvisibleUntilClose() throws IOException {
    String p = path("streamed");
    OutputStream out = storage().openWrite(p);
    out.write(bytes("part one, "));
    out.write('x');
    out.write(bytes(" part two"));
    assertFalse(storage().exists(p), "visible before close");
    out.close();
    assertArrayEquals(bytes("part one, x part two"), storage().readBytes(p));
    out.close(); // idempotent
  }

  @Test
  void openWriteOfALargeObjectStreamsAndIsInvisibleUntilClose() throws IOException {
    String p = path("large-stream");
    byte[] data = randomBytes(LARGE, 1);
    OutputStream out = storage().openWrite(p);
    for (int off = 0; off < data.length; off += 100_000) {
      out.write(data, off, Math.min(100_000, data.length - off));
    }
    assertFalse(storage().exists(p), "visible before close");
    out.close();
    assertArrayEquals(data, storage().readBytes(p));
    assertLargeUploadWasResumable(p);
  }

  @Test
  void openReadStreamsTheObject() throws IOException {
    byte[] data = randomBytes(LARGE, 2);
    storage().writeBytes(path("big"), data);
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    try (InputStream in = storage().openRead(path("big"))) {
      in.transferTo(copy);
    }
    assertArrayEquals(data, copy.toByteArray());
  }

  @Test
  void uploadAndDownloadOfALargeFile() throws IOException {
    byte[] data = randomBytes(LARGE, 3);
    Path local = localTemp.resolve("in.bin");
    Files.write(local, data);
    storage().upload(local, path("up/large.bin"));
    assertLargeUploadWasResumable(path("up/large.bin"));
    Path back = localTemp.resolve("out/deeper/copy.bin");
    storage().download(path("up/large.bin"), back);
    assertArrayEquals(data, Files.readAllBytes(back));
  }

  @Test
  void uploadOfASmallFileAndDownloadReplacesALocalFile() throws IOException {
    Path local = localTemp.resolve("small.txt");
    Files.writeString(local, "small");
    storage().upload(local, path("small.txt"));
    Path back = localTemp.resolve("back.txt");
    Files.writeString(back, "old content that is longer");
    storage().download(path("small.txt"), back);
    assertEquals("small", Files.readString(back));
  }

  @Test
  void downloadOfAMissingObjectLeavesNoLocalFile() throws IOException {
    Path back = localTemp.resolve("never.bin");
    StorageException e =
        assertThrows(StorageException.class, () -> storage().download(path("nope"), back));
    assertEquals(StorageException.Kind.NOT_FOUND, e.kind());
    assertFalse(Files.exists(back));
    try (var files = Files.list(localTemp)) {
      assertEquals(0, files.count(), "temp files left behind");
    }
  }

  @Test
  void uploadOfAMissingLocalFileNamesTheLocalFile() {
    Path missing = localTemp.resolve("not-there.bin");
    StorageException e =
        assertThrows(StorageException.class, () -> storage().upload(missing, path("x")));
    assertEquals(StorageException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("not-there.bin"), e.getMessage());
  }

  @Test
  void listByDirectoryPrefixAndByAPrefixEndingMidName() {
    List<String> names =
        List.of(
            "run/a/1",
            "run/a/2",
            "run/a/sub/3",
            "run/ab",
            "run/model.ckpt-1.index",
            "run/model.ckpt-1.data-00000-of-00001",
            "run/model.ckpt-20.index",
            "run/modelX",
            "run/checkpoint");
    for (String n : names) {
      storage().writeBytes(path(n), bytes(n));
    }
    assertEquals(
        List.of(path("run/a/1"), path("run/a/2"), path("run/a/sub/3")),
        paths(storage().list(path("run/a/"))));
    assertEquals(
        List.of(
            path("run/model.ckpt-1.data-00000-of-00001"),
            path("run/model.ckpt-1.index"),
            path("run/model.ckpt-20.index")),
        paths(storage().list(path("run/model.ckpt-"))));
    List<StorageObject> all = storage().list(StoragePaths.asPrefix(path("run")));
    assertEquals(names.size(), all.size());
    List<String> sorted = new ArrayList<>(paths(all));
    sorted.sort(null);
    assertEquals(sorted, paths(all), "list is sorted by path");
    StorageObject ab =
        all.stream().filter(o -> o.path().endsWith("/run/ab")).findFirst().orElseThrow();
    assertEquals(6, ab.size());
    assertTrue(storage().list(path("run/zzz")).isEmpty());
    assertTrue(storage().list(path("no-such-dir/")).isEmpty());
  }

  @Test
  void deleteReturnsWhetherTheObjectExisted() {
    String p = path("doomed");
    storage().writeBytes(p, bytes("x"));
    assertTrue(storage().delete(p));
    assertFalse(storage().exists(p));
    assertFalse(storage().delete(p));
    assertTrue(storage().stat(p).isEmpty());
  }

  @Test
  void existsAndStatDescribeOneObject() {
    String p = path("described");
    assertFalse(storage().exists(p));
    storage().writeBytes(p, bytes("12345"));
    assertTrue(storage().exists(p));
    StorageObject o = storage().stat(p).orElseThrow();
    assertEquals(5, o.size());
    assertNotEquals(StorageObject.NO_GENERATION, o.generation());
    assertTrue(o.path().endsWith("described"), o.path());
    assertFalse(storage().exists(path("descr")), "exists is exact, not a prefix match");
  }

  @Test
  void aDirectoryIsNotAnObject() {
    storage().writeBytes(path("dir/file"), bytes("x"));
    assertFalse(storage().exists(path("dir")));
    assertFalse(storage().exists(path("dir/")));
    assertTrue(storage().stat(path("dir/")).isEmpty());
  }

  @Test
  void readVersionedReturnsTheGenerationStatSees() {
    String p = path("versioned");
    assertTrue(storage().readVersioned(p).isEmpty());
    storage().writeBytes(p, bytes("v1"));
    VersionedBytes v = storage().readVersioned(p).orElseThrow();
    assertArrayEquals(bytes("v1"), v.data());
    assertEquals(storage().stat(p).orElseThrow().generation(), v.generation());
  }

  @Test
  void compareAndSetCreatesOnlyWhenAbsent() {
    String p = path("cas/absent-only");
    assertTrue(storage().compareAndSet(p, bytes("first"), StorageObject.NO_GENERATION));
    assertFalse(storage().compareAndSet(p, bytes("second"), StorageObject.NO_GENERATION));
    assertArrayEquals(bytes("first"), storage().readBytes(p));
  }

  @Test
  void compareAndSetReplacesOnlyTheExpectedGeneration() {
    String p = path("cas/state");
    storage().writeBytes(p, bytes("v1"));
    long g1 = storage().readVersioned(p).orElseThrow().generation();
    assertTrue(storage().compareAndSet(p, bytes("v2"), g1));
    assertFalse(storage().compareAndSet(p, bytes("v3 from a stale reader"), g1));
    assertArrayEquals(bytes("v2"), storage().readBytes(p));
    long g2 = storage().readVersioned(p).orElseThrow().generation();
    assertNotEquals(g1, g2);
  }

  @Test
  void compareAndSetOfALargeObjectHonoursTheGeneration() {
    String p = path("cas/large");
    byte[] big = randomBytes(LARGE, 4);
    assertTrue(storage().compareAndSet(p, big, StorageObject.NO_GENERATION));
    assertFalse(storage().compareAndSet(p, randomBytes(LARGE, 5), StorageObject.NO_GENERATION));
    assertArrayEquals(big, storage().readBytes(p));
  }

  @Test
  void twoWritersRacingOnOneGenerationExactlyOneWins() throws Exception {
    String p = path("cas/race");
    storage().writeBytes(p, bytes("base"));
    exactlyOneWins(p, storage().readVersioned(p).orElseThrow().generation());
  }

  @Test
  void creatorsRacingForOneNameExactlyOneWins() throws Exception {
    exactlyOneWins(path("cas/create-race"), StorageObject.NO_GENERATION);
  }

  /** Six threads compare-and-set {@code p} against {@code base} at once: one wins and its bytes are there. */
  private void exactlyOneWins(String p, long base) throws Exception {
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        byte[] mine = bytes("writer-" + i);
        Callable<Boolean> attempt =
            () -> {
              start.await();
              return storage().compareAndSet(p, mine, base);
            };
        results.add(pool.submit(attempt));
      }
      start.countDown();
      int winners = 0;
      String winner = null;
      for (int i = 0; i < writers; i++) {
        if (results.get(i).get()) {
          winners++;
          winner = "writer-" + i;
        }
      }
      assertEquals(1, winners, "exactly one compare-and-set must win");
      assertEquals(winner, new String(storage().readBytes(p), StandardCharsets.UTF_8));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writingDeepUnderNothingJustWorks() {
    String p = path("deep/nested/very/far/file");
    storage().writeBytes(p, bytes("deep"));
    assertArrayEquals(bytes("deep"), storage().readBytes(p));
    assertEquals(List.of(p), paths(storage().list(StoragePaths.asPrefix(root()))));
    assertOnlyObjectsAre(List.of(p));
  }

  static List<String> paths(List<StorageObject> objects) {
    return objects.stream().map(StorageObject::path).toList();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Optional<String> text(Optional<byte[]> b) {
    return b.map(x -> new String(x, StandardCharsets.UTF_8));
  }
}
