package io.beamtrain.checkpointing.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Google Cloud Storage backend: being built under issue 2 (placeholder until then). */
final class GcsStorage implements Storage {
  GcsStorage(StorageConfig config) {
    throw new StorageException(StorageException.Kind.OTHER, "gs://", "GCS backend not built yet");
  }

  @Override public byte[] readBytes(String path) { throw new IllegalStateException(); }
  @Override public InputStream openRead(String path) { throw new IllegalStateException(); }
  @Override public void writeBytes(String path, byte[] data) { throw new IllegalStateException(); }
  @Override public OutputStream openWrite(String path) { throw new IllegalStateException(); }
  @Override public void upload(Path localFile, String path) { throw new IllegalStateException(); }
  @Override public void download(String path, Path localFile) { throw new IllegalStateException(); }
  @Override public List<StorageObject> list(String prefix) { throw new IllegalStateException(); }
  @Override public boolean delete(String path) { throw new IllegalStateException(); }
  @Override public boolean exists(String path) { throw new IllegalStateException(); }
  @Override public Optional<StorageObject> stat(String path) { throw new IllegalStateException(); }
  @Override public Optional<VersionedBytes> readVersioned(String path) { throw new IllegalStateException(); }
  @Override public boolean compareAndSet(String path, byte[] d, long g) { throw new IllegalStateException(); }
}
