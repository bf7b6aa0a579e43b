package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on local disk, plus local-only behaviour. */
class LocalStorageContractTest extends StorageContractTest {
  @TempDir Path rootDir;
  private final LocalStorage storage = new LocalStorage();

  @Override
  Storage storage() {
    return storage;
  }

  @Override
  String root() {
    return rootDir.toAbsolutePath().normalize().toString();
  }

  @Test
  void createIfAbsentLeavesNothingButTheObject() throws IOException {
    String p = path("claims/job-0");
    assertTrue(storage.compareAndSet(p, bytes("mine"), StorageObject.NO_GENERATION));
    assertFalse(storage.compareAndSet(p, bytes("theirs"), StorageObject.NO_GENERATION));
    try (var files = Files.list(Path.of(p).getParent())) {
      // A hard link of a finished temp file: no lock file beside it, no temp file left.
      assertEquals(List.of("job-0"), files.map(f -> f.getFileName().toString()).toList());
    }
    assertEquals("mine", new String(storage.readBytes(p), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aFailedWriteThroughOpenWriteCommitsNothing() throws IOException {
    String p = path("half");
    OutputStream out = storage.openWrite(p);
    out.write(bytes("partial"));
    // A write that fails part-way must not leave the partial bytes behind on close.
    assertThrows(IndexOutOfBoundsException.class, () -> out.write(new byte[1], 0, 5));
    out.close();
    assertFalse(storage.exists(p));
    try (var files = Files.list(rootDir)) {
      assertEquals(0, files.count(), "temp file left behind");
    }
  }

  @Test
  void listingSkipsFilesThatVanishWhileItWalks() throws Exception {
    String kept = path("trial/result.json");
    storage.writeBytes(kept, bytes("kept"));
    // Another writer keeps writing the same object: each write is a temp file renamed into
    // place, so temp files appear and vanish while the listing walks the directory.
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        storage.writeBytes(path("trial/other.json"), bytes("v" + i));
      }
    });
    writer.start();
    try {
      for (int i = 0; i < 2000; i++) {
        List<String> listed = storage.list(path("trial/")).stream().map(StorageObject::path).toList();
        assertTrue(listed.contains(kept), listed.toString());
      }
    } finally {
      stop.set(true);
      writer.join();
    }
  }

  @Test
  void gsPathsAreRejected() {
    StorageException e = assertThrows(StorageException.class, () -> storage.readBytes("gs://b/x"));
    assertEquals(StorageException.Kind.INVALID_PATH, e.kind());
  }
}
