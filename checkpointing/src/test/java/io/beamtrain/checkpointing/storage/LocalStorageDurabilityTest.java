package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write {@link LocalStorage} commits is durable in the order a database would make it: the
 * complete temp file forced while the target name does not show it yet, then the directory forced
 * once it does. A power loss cannot be simulated, so a recording {@link FileSync} captures, at each
 * force, the forced file's bytes or the directory's names, and the test checks them against the
 * renames they must precede and follow.
 */
class LocalStorageDurabilityTest {
  @TempDir Path root;

  private final Recorder sync = new Recorder();
  private final LocalStorage storage = new LocalStorage(sync);

  @Test
  void writeBytesForcesTheFileBeforeTheRenameAndTheDirectoryAfter() {
    Path target = root.resolve("model.ckpt-1.meta");
    storage.writeBytes(target.toString(), bytes("meta"));
    assertCommittedDurably(target, bytes("meta"), 0);
  }

  @Test
  void replacingAnObjectForcesTheNewBytesWhileTheOldOnesAreStillVisible() {
    Path target = root.resolve("checkpoint");
    storage.writeBytes(target.toString(), bytes("old"));
    int from = sync.events.size();
    storage.writeBytes(target.toString(), bytes("new"));
    assertCommittedDurably(target, bytes("new"), from);
  }

  @Test
  void openWriteForcesOnClose() throws IOException {
    Path target = root.resolve("stream");
    try (OutputStream out = storage.openWrite(target.toString())) {
      out.write(bytes("streamed"));
      assertTrue(sync.events.isEmpty(), "forced before the stream was complete");
    }
    assertCommittedDurably(target, bytes("streamed"), 0);
  }

  @Test
  void uploadForcesTheCopy() throws IOException {
    Path source = Files.write(root.resolve("staged"), bytes("weights"));
    Path target = root.resolve("trial/model.ckpt-1.data-00000-of-00001");
    storage.upload(source, target.toString());
    assertCommittedDurably(target, bytes("weights"), 0);
  }

  @Test
  void createIfAbsentForcesTheFileBeforeTheLinkAndTheDirectoryAfter() {
    Path target = root.resolve("search/job-0.json");
    assertTrue(storage.compareAndSet(target.toString(), bytes("claim"), StorageObject.NO_GENERATION));
    assertCommittedDurably(target, bytes("claim"), 0);
  }

  @Test
  void compareAndSetOnAnExistingObjectIsDurable() {
    Path target = root.resolve("checkpoint");
    storage.writeBytes(target.toString(), bytes("v1"));
    long generation = storage.stat(target.toString()).orElseThrow().generation();
    int from = sync.events.size();
    assertTrue(storage.compareAndSet(target.toString(), bytes("v2"), generation));
    assertCommittedDurably(target, bytes("v2"), from);
  }

  @Test
  void everyDirectoryItCreatesIsForcedInItsParent() {
    Path target = root.resolve("out/trials/trial-0007/checkpoint");
    storage.writeBytes(target.toString(), bytes("state"));
    for (Path dir = target.getParent(); !dir.equals(root); dir = dir.getParent()) {
      Path created = dir;
      assertTrue(
          sync.events.stream().anyMatch(e -> e.isDirectory() && e.path().equals(created.getParent())
              && e.names().contains(created.getFileName().toString())),
          "the new directory " + created + " was never forced into " + created.getParent() + ": " + sync.events);
    }
    assertCommittedDurably(target, bytes("state"), 0);
  }

  @Test
  void aCheckpointsFilesAreDurableBeforeTheStateFileThatNamesThem() throws IOException {
    // CheckpointManager's commit order: the checkpoint's files, then the state file by compare-and-set.
    Path dir = root.resolve("trial-0001");
    Path staged = Files.write(root.resolve("staged.data"), bytes("weights"));
    storage.writeBytes(dir.resolve("model.ckpt-5.metrics.json").toString(), bytes("{}"));
    storage.upload(staged, dir.resolve("model.ckpt-5.data-00000-of-00001").toString());
    storage.writeBytes(dir.resolve("model.ckpt-5.meta").toString(), bytes("meta"));
    int stateFrom = sync.events.size();
    storage.compareAndSet(dir.resolve("checkpoint").toString(), bytes("model_checkpoint_path: \"model.ckpt-5\""),
        StorageObject.NO_GENERATION);
    // The first force of the state file's bytes comes only after every data file's directory entry
    // was forced: no crash can leave a state file naming a file that is not on the disk.
    List<Event> before = sync.events.subList(0, stateFrom);
    for (String name : List.of("model.ckpt-5.metrics.json", "model.ckpt-5.data-00000-of-00001", "model.ckpt-5.meta")) {
      assertTrue(before.stream().anyMatch(e -> e.isDirectory() && e.path().equals(dir) && e.names().contains(name)),
          name + " not durable before the state file was written: " + sync.events);
    }
    assertCommittedDurably(dir.resolve("checkpoint"), bytes("model_checkpoint_path: \"model.ckpt-5\""), stateFrom);
  }

  @Test
  void writeAllForcesEveryFileBeforeAnyRenameAndEachDirectoryOnce() throws IOException {
    // CheckpointManager writes a checkpoint's files as one batch before the state file.
    Path dir = root.resolve("trial-0002");
    Files.createDirectories(dir);
    Path staged = Files.write(root.resolve("staged.data"), bytes("weights"));
    storage.writeAll(List.of(
        PendingObject.ofBytes(dir.resolve("model.ckpt-5.metrics.json").toString(), bytes("{}")),
        PendingObject.ofFile(staged, dir.resolve("model.ckpt-5.data-00000-of-00001").toString()),
        PendingObject.ofBytes(dir.resolve("model.ckpt-5.meta").toString(), bytes("meta"))));
    assertCommittedDurably(dir.resolve("model.ckpt-5.metrics.json"), bytes("{}"), 0);
    assertCommittedDurably(dir.resolve("model.ckpt-5.data-00000-of-00001"), bytes("weights"), 0);
    assertCommittedDurably(dir.resolve("model.ckpt-5.meta"), bytes("meta"), 0);
    List<Event> directoryForces = sync.events.stream().filter(e -> e.isDirectory() && e.path().equals(dir)).toList();
    assertEquals(1, directoryForces.size(), "the directory is forced once, after every rename: " + sync.events);
    assertTrue(directoryForces.get(0).names().containsAll(
            Set.of("model.ckpt-5.metrics.json", "model.ckpt-5.data-00000-of-00001", "model.ckpt-5.meta")),
        "forced before every file was renamed into it: " + sync.events);
  }

  @Test
  void writeAllOfAMissingLocalFileWritesNothing() throws IOException {
    Path dir = Files.createDirectories(root.resolve("trial-0003"));
    StorageException e = assertThrows(StorageException.class, () -> storage.writeAll(List.of(
        PendingObject.ofBytes(dir.resolve("model.ckpt-1.meta").toString(), bytes("meta")),
        PendingObject.ofFile(root.resolve("absent"), dir.resolve("model.ckpt-1.index").toString()))));
    assertEquals(StorageException.Kind.NOT_FOUND, e.kind());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "a failed batch leaves no file, temp or target");
    }
  }

  /**
   * Among the forces from index {@code from}: a file holding exactly {@code content}, forced while
   * {@code target} did not hold it yet, and after it a force of the target's directory while it
   * did.
   */
  private void assertCommittedDurably(Path target, byte[] content, int from) {
    List<Event> events = sync.events.subList(from, sync.events.size());
    int fileForced = -1;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (!e.isDirectory() && Arrays.equals(e.content(), content) && e.path().getParent().equals(target.getParent())) {
        assertFalse(e.path().equals(target), "forced the target itself, after the rename: " + events);
        assertFalse(Arrays.equals(e.targetContent(), content),
            "the rename was already visible when the file was forced: " + events);
        fileForced = i;
        break;
      }
    }
    if (fileForced < 0) {
      fail("the bytes of " + target + " were never forced before its rename: " + events);
    }
    for (int i = fileForced + 1; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.isDirectory() && e.path().equals(target.getParent()) && e.names().contains(target.getFileName().toString())) {
        return;
      }
    }
    fail("the directory of " + target + " was never forced after its rename: " + events);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One force: the path, and what it covered at that moment (a file's bytes and what its target
   * name then held; a directory's names).
   */
  private record Event(Path path, boolean isDirectory, byte[] content, byte[] targetContent, Set<String> names) {
    @Override
    public String toString() {
      return (isDirectory ? "dir " + path + " " + names : "file " + path.getFileName() + " (" + content.length + " bytes)");
    }
  }

  /** Records each force with a snapshot of what it forced; forces nothing. */
  private static final class Recorder implements FileSync {
    final List<Event> events = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void forceFile(Path file) throws IOException {
      events.add(new Event(file, false, Files.readAllBytes(file), targetContentOf(file), Set.of()));
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
      try (Stream<Path> entries = Files.list(directory)) {
        Set<String> names = entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        events.add(new Event(directory, true, null, null, names));
      }
    }

    /** What the name a temp file is committed to holds now (null if nothing). */
    private static byte[] targetContentOf(Path temp) throws IOException {
      String name = temp.getFileName().toString();
      if (!name.startsWith(LocalStorage.TEMP_PREFIX)) {
        return null;
      }
      // TEMP_PREFIX + target name + "-" + a UUID (36 characters).
      String targetName = name.substring(LocalStorage.TEMP_PREFIX.length(), name.length() - 37);
      Path target = temp.resolveSibling(targetName);
      return Files.exists(target) ? Files.readAllBytes(target) : null;
    }
  }
}
