package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void gsPathsAreRejected() {
    StorageException e = assertThrows(StorageException.class, () -> storage.readBytes("gs://b/x"));
    assertEquals(StorageException.Kind.INVALID_PATH, e.kind());
  }
}
