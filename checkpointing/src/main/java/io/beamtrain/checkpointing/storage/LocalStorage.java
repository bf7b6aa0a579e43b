package io.beamtrain.checkpointing.storage;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local-disk backend with object-store semantics: parents are created on demand and every write
 * goes to a hidden temp file in the same directory that is then renamed into place, so readers see
 * the old object or the new one, never a torn one.
 *
 * <p>Durability, as databases commit: the temp file is fsynced before the rename, and the directory
 * after it (also after the hard link of {@link #compareAndSet}'s create-if-absent, and after each
 * parent directory it creates), so once a write returns, a power loss cannot undo it or leave the
 * name pointing at data that never reached the disk. A state file committed after its checkpoint's
 * files therefore never names files that a crash lost. {@link #download} writes a local scratch
 * copy and does not force it; deletes are not forced either (a file that reappears after a crash
 * is unlisted, and orphan collection removes it).
 *
 * <p>{@link #writeAll} commits a batch (a checkpoint's files) more cheaply with the same
 * guarantee: every temp file is written, then all are forced at once (concurrent fsyncs share the
 * file system's journal commits), then renamed, then each directory is forced once.
 *
 * <p>The generation of a local object is derived from its modification time (nanoseconds) and size;
 * {@link #compareAndSet} holds an OS file lock on a sibling {@code .lock} file while it checks and
 * writes, so concurrent writers in different processes cannot both succeed.
 */
public final class LocalStorage implements Storage {
  /** Temp files start with this; listings skip them, and orphan collection may delete them. */
  public static final String TEMP_PREFIX = ".beamtrain-tmp-";

  private static final String LOCK_SUFFIX = ".beamtrain-lock";
  private static final Logger LOG = LoggerFactory.getLogger(LocalStorage.class);

  /** Striped in-process locks guarding {@link #compareAndSet} and {@link #readVersioned}. */
  private static final ReentrantLock[] THREAD_LOCKS = new ReentrantLock[64];

  static {
    for (int i = 0; i < THREAD_LOCKS.length; i++) {
      THREAD_LOCKS[i] = new ReentrantLock();
    }
  }

  /** Threads that force the files of a {@link #writeAll} batch concurrently; idle ones exit. */
  private static final ExecutorService FORCES =
      Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "beamtrain-fsync");
        thread.setDaemon(true);
        return thread;
      });

  private final FileSync sync;

  /** Forces through the operating system's fsync. */
  public LocalStorage() {
    this(FileSync.SYSTEM);
  }

  LocalStorage(FileSync sync) {
    this.sync = sync;
  }

  @Override
  public byte[] readBytes(String path) {
    try {
      return Files.readAllBytes(local(path));
    } catch (NoSuchFileException e) {
      throw notFound(path, e);
    } catch (IOException e) {
      throw failure(path, "read failed", e);
    }
  }

  @Override
  public InputStream openRead(String path) {
    try {
      return Files.newInputStream(local(path));
    } catch (NoSuchFileException e) {
      throw notFound(path, e);
    } catch (IOException e) {
      throw failure(path, "open failed", e);
    }
  }

  @Override
  public void writeBytes(String path, byte[] data) {
    try (OutputStream out = openWrite(path)) {
      out.write(data);
    } catch (IOException e) {
      throw failure(path, "write failed", e);
    }
  }

  @Override
  public OutputStream openWrite(String path) {
    Path target = local(path);
    Path temp = tempSibling(target);
    try {
      OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW);
      return new FilterOutputStream(new BufferedOutputStream(file, 64 * 1024)) {
        private boolean closed;
        private boolean failed;

        @Override
        public void write(int b) throws IOException {
          try {
            out.write(b);
          } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
          }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          try {
            out.write(b, off, len);
          } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
          }
        }

        @Override
        public void close() throws IOException {
          if (closed) {
            return;
          }
          closed = true;
          try {
            super.close();
            // A stream whose write failed commits nothing: readers keep the previous object.
            if (failed) {
              Files.deleteIfExists(temp);
              return;
            }
            commit(temp, target);
          } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
          }
        }
      };
    } catch (IOException e) {
      throw failure(path, "cannot open for writing", e);
    }
  }

  @Override
  public void upload(Path localFile, String path) {
    Path target = local(path);
    Path temp = tempSibling(target);
    try {
      Files.copy(localFile, temp);
      commit(temp, target);
    } catch (NoSuchFileException e) {
      throw new StorageException(
          StorageException.Kind.NOT_FOUND,
          localFile.toString(),
          "local file to upload not found",
          e);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw failure(path, "copy from " + localFile + " failed", e);
    }
  }

  @Override
  public void writeAll(List<PendingObject> objects) {
    List<Path> temps = new ArrayList<>();
    try {
      List<Path> targets = new ArrayList<>();
      for (PendingObject object : objects) {
        Path target = local(object.path());
        Path temp = tempSibling(target);
        temps.add(temp);
        targets.add(target);
        writeTemp(object, temp);
      }
      forceAll(objects, temps);
      Set<Path> directories = new LinkedHashSet<>();
      for (int i = 0; i < temps.size(); i++) {
        moveIntoPlace(temps.get(i), targets.get(i));
        directories.add(targets.get(i).getParent());
      }
      for (Path directory : directories) {
        sync.forceDirectory(directory);
      }
    } catch (IOException e) {
      temps.forEach(LocalStorage::deleteQuietly);
      throw failure(objects.isEmpty() ? "" : objects.get(0).path(), "batch write failed", e);
    } catch (RuntimeException e) {
      temps.forEach(LocalStorage::deleteQuietly);
      throw e;
    }
  }

  private static void writeTemp(PendingObject object, Path temp) throws IOException {
    if (object.bytes() != null) {
      Files.write(temp, object.bytes(), StandardOpenOption.CREATE_NEW);
      return;
    }
    try {
      Files.copy(object.localFile(), temp);
    } catch (NoSuchFileException e) {
      throw new StorageException(
          StorageException.Kind.NOT_FOUND, object.localFile().toString(), "local file to upload not found", e);
    } catch (IOException e) {
      throw failure(object.path(), "copy from " + object.localFile() + " failed", e);
    }
  }

  /** Forces every temp file, all but the first on {@link #FORCES} while this thread does the first. */
  private void forceAll(List<PendingObject> objects, List<Path> temps) throws IOException {
    List<CompletableFuture<Void>> others = new ArrayList<>();
    for (int i = 1; i < temps.size(); i++) {
      Path temp = temps.get(i);
      String path = objects.get(i).path();
      others.add(CompletableFuture.runAsync(() -> {
        try {
          sync.forceFile(temp);
        } catch (IOException e) {
          throw failure(path, "fsync failed", e);
        }
      }, FORCES));
    }
    IOException first = null;
    if (!temps.isEmpty()) {
      try {
        sync.forceFile(temps.get(0));
      } catch (IOException e) {
        first = e;
      }
    }
    RuntimeException other = null;
    for (CompletableFuture<Void> force : others) {
      try {
        force.join();
      } catch (CompletionException e) {
        if (other == null) {
          other = e.getCause() instanceof RuntimeException r ? r : e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
    if (other != null) {
      throw other;
    }
  }

  @Override
  public void download(String path, Path localFile) {
    Path source = local(path);
    Path target = localFile.toAbsolutePath();
    // Copy beside the target, then rename: a failed copy never leaves a half-written file.
    Path temp = tempSibling(target);
    try {
      Files.copy(source, temp);
      moveIntoPlace(temp, target);
    } catch (NoSuchFileException e) {
      deleteQuietly(temp);
      if (e.getFile() != null && Paths.get(e.getFile()).toAbsolutePath().equals(source)) {
        throw notFound(path, e);
      }
      throw failure(path, "copy to " + localFile + " failed", e);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw failure(path, "copy to " + localFile + " failed", e);
    }
  }


  @Override
  public List<StorageObject> list(String prefix) {
    // The prefix may end inside a file name ("/x/model.ckpt-"), so walk its directory part.
    Path prefixPath = local(prefix);
    Path root = prefix.endsWith("/") ? prefixPath : prefixPath.getParent();
    if (root == null || !Files.isDirectory(root)) {
      return List.of();
    }
    List<StorageObject> out = new ArrayList<>();
    String absolutePrefix = absolutePrefix(prefix);
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && p.toString().startsWith(absolutePrefix) && !isInternal(p)) {
            stat(p.toString()).ifPresent(out::add);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
          // A file renamed or deleted between reading its directory and reading its attributes
          // (another writer's temp file, a checkpoint retention just dropped) is simply not
          // listed, as an object deleted during a GCS listing is not.
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }
      });
    } catch (IOException e) {
      throw failure(prefix, "listing failed", e);
    }
    out.sort(Comparator.comparing(StorageObject::path));
    return out;
  }

  @Override
  public boolean delete(String path) {
    try {
      return Files.deleteIfExists(local(path));
    } catch (IOException e) {
      throw failure(path, "delete failed", e);
    }
  }

  @Override
  public boolean exists(String path) {
    return Files.isRegularFile(local(path));
  }

  @Override
  public Optional<StorageObject> stat(String path) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(local(path), BasicFileAttributes.class);
      if (!attrs.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(
          new StorageObject(
              local(path).toString(),
              attrs.size(),
              generationOf(attrs),
              attrs.lastModifiedTime().toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure(path, "stat failed", e);
    }
  }

  @Override
  public Optional<VersionedBytes> readVersioned(String path) {
    try (FileLock lock = lock(path)) {
      Optional<StorageObject> meta = stat(path);
      if (meta.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new VersionedBytes(readBytes(path), meta.get().generation()));
    } catch (IOException e) {
      throw failure(path, "versioned read failed", e);
    }
  }

  @Override
  public boolean compareAndSet(String path, byte[] data, long expectedGeneration) {
    if (expectedGeneration == StorageObject.NO_GENERATION) {
      Optional<Boolean> created = createByLink(path, data);
      if (created.isPresent()) {
        return created.get();
      }
    }
    try (FileLock lock = lock(path)) {
      long current = stat(path).map(StorageObject::generation).orElse(StorageObject.NO_GENERATION);
      if (current != expectedGeneration) {
        return false;
      }
      writeBytes(path, data);
      // Two writes within the clock's resolution with the same size would share a generation;
      // nudge the modification time forward so every successful write changes it.
      Path target = local(path);
      long written = stat(path).map(StorageObject::generation).orElseThrow();
      if (written == current) {
        Files.setLastModifiedTime(
            target,
            java.nio.file.attribute.FileTime.from(
                Files.getLastModifiedTime(target).toInstant().plusNanos(1000)));
      }
      return true;
    } catch (IOException e) {
      throw failure(path, "compare-and-set failed", e);
    }
  }

  /**
   * Create-if-absent without a lock file: the data goes to a complete temp file, which is then
   * hard-linked to the target name; the OS refuses the link when the name exists, atomically and
   * across processes (GCS's {@code ifGenerationMatch=0}). Empty when this file system has no hard
   * links, for the locked path to handle.
   */
  private Optional<Boolean> createByLink(String path, byte[] data) {
    Path target = local(path);
    Path temp = tempSibling(target);
    try {
      Files.write(temp, data, StandardOpenOption.CREATE_NEW);
      sync.forceFile(temp);
      Files.createLink(target, temp);
      sync.forceDirectory(target.getParent());
      return Optional.of(true);
    } catch (FileAlreadyExistsException e) {
      return Optional.of(false);
    } catch (UnsupportedOperationException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (Files.exists(target)) {
        return Optional.of(false);
      }
      // e.g. EPERM from a file system without hard links: take the locked path.
      LOG.debug("{}: no hard link ({}); creating under a lock file", path, e.getMessage());
      return Optional.empty();
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // Harmless: the temp file is hidden from listings by its TEMP_PREFIX name.
        LOG.debug("{}: temp file left behind: {}", temp, e.getMessage());
      }
    }
  }

  /**
   * Holds an in-process lock (the OS file lock is per process: two threads of one JVM would
   * otherwise get OverlappingFileLockException) and then the OS lock on a sibling lock file, so
   * threads and processes are both excluded.
   */
  private FileLock lock(String path) throws IOException {
    Path target = local(path);
    Path lockFile = target.resolveSibling(target.getFileName() + LOCK_SUFFIX);
    Files.createDirectories(lockFile.getParent());
    ReentrantLock threadLock =
        THREAD_LOCKS[Math.floorMod(lockFile.hashCode(), THREAD_LOCKS.length)];
    threadLock.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.lock();
      FileChannel held = channel;
      return new FileLock(channel, 0, Long.MAX_VALUE, false) {
        private boolean released;

        @Override
        public boolean isValid() {
          return lock.isValid();
        }

        @Override
        public void release() throws IOException {
          if (released) {
            return;
          }
          released = true;
          try {
            lock.release();
            held.close();
          } finally {
            threadLock.unlock();
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      threadLock.unlock();
      throw e;
    }
  }

  private static long generationOf(BasicFileAttributes attrs) {
    Instant modified = attrs.lastModifiedTime().toInstant();
    long nanos = modified.getEpochSecond() * 1_000_000_000L + modified.getNano();
    // Never NO_GENERATION (0) for an existing object.
    return (nanos ^ (attrs.size() * 0x9E3779B97F4A7C15L)) | 1L;
  }

  /**
   * Makes the complete {@code temp} the object at {@code target}, durably: its bytes reach the disk
   * before the rename can, and the rename before this returns.
   */
  private void commit(Path temp, Path target) throws IOException {
    sync.forceFile(temp);
    moveIntoPlace(temp, target);
    sync.forceDirectory(target.getParent());
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Path tempSibling(Path target) {
    Path parent = target.toAbsolutePath().getParent();
    try {
      createDirectoriesDurably(parent);
    } catch (FileAlreadyExistsException e) {
      throw new StorageException(
          StorageException.Kind.INVALID_PATH,
          target.toString(),
          "a file stands where a directory is needed: " + e.getFile(),
          e);
    } catch (IOException e) {
      throw failure(target.toString(), "cannot create parent directories", e);
    }
    return parent.resolve(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
  }

  /**
   * {@link Files#createDirectories}, then fsyncs the parent of every directory it created: a file
   * committed in a new directory is durable only once the directory's own name is.
   */
  private void createDirectoriesDurably(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    List<Path> missing = new ArrayList<>();
    for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.add(p);
    }
    Files.createDirectories(dir);
    for (Path created : missing) {
      sync.forceDirectory(created.getParent());
    }
  }

  private static boolean isInternal(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith(TEMP_PREFIX) || name.endsWith(LOCK_SUFFIX);
  }

  /** The prefix as an absolute path string, keeping a trailing slash if it had one. */
  private static String absolutePrefix(String prefix) {
    String abs = local(prefix).toString();
    return prefix.endsWith("/") && !abs.endsWith("/") ? abs + "/" : abs;
  }

  private static Path local(String path) {
    if (StoragePaths.isGcs(path)) {
      throw new StorageException(
          StorageException.Kind.INVALID_PATH, path, "a gs:// path cannot be read from local disk");
    }
    String plain = path.startsWith("file://") ? path.substring("file://".length()) : path;
    return Paths.get(plain).toAbsolutePath().normalize();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Harmless: the temp file is hidden from listings by its TEMP_PREFIX name.
      LOG.warn("could not delete temp file {}: {}", p, e.getMessage());
    }
  }

  private static StorageException notFound(String path, Exception cause) {
    return new StorageException(StorageException.Kind.NOT_FOUND, path, "no such object", cause);
  }

  private static StorageException failure(String path, String what, Exception cause) {
    return new StorageException(
        StorageException.Kind.OTHER, path, what + ": " + cause.getMessage(), cause);
  }
}
