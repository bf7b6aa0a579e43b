package io.beamtrain.checkpointing;

import static io.beamtrain.checkpointing.CheckpointManagerTest.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Population-based training's exploit: one directory's latest checkpoint becomes another's only one. */
class CheckpointTransplantTest {
  private static GcsTestServer server;

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at(1_700_000_000.0);

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    server.createBucket("pbt");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void copiesTheLatestCheckpointLocally() {
    transplantAndResume(tmp.resolve("donor").toString(), tmp.resolve("recipient").toString(), StorageConfig.defaults());
  }

  @Test
  void copiesTheLatestCheckpointOnGcs() {
    transplantAndResume("gs://pbt/run/trial-0001", "gs://pbt/run/trial-0002", server.storageConfig());
  }

  @Test
  void aSourceWithoutCheckpointsIsRefused() {
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointTransplant.copyLatest(
        tmp.resolve("empty").toString(), tmp.resolve("to").toString(), StorageConfig.defaults()));
    assertTrue(e.getMessage().contains("no committed checkpoint"), e.getMessage());
  }

  private void transplantAndResume(String donor, String recipient, StorageConfig config) {
    List<float[]> donorAt2;
    try (TestModel model = TestModel.create(); CheckpointManager manager = open(model, donor, config)) {
      save(manager, model, 1, 0.5);
      save(manager, model, 2, 0.25);
      donorAt2 = model.variableValues();
    }
    try (TestModel model = TestModel.create(); CheckpointManager manager = open(model, recipient, config)) {
      model.trainStep();
      save(manager, model, 1, 0.9);
      save(manager, model, 2, 0.8);
      save(manager, model, 3, 0.7);
    }

    Checkpoint copy = CheckpointTransplant.copyLatest(donor, recipient, config);
    assertEquals(2, copy.step());
    assertTransplanted(recipient, config, donorAt2);

    // A crash in the middle: the state file already gone, one file copied, then the re-run.
    Storage storage = Storages.forPath(recipient, config);
    storage.delete(recipient + "/" + CheckpointState.FILE_NAME);
    storage.delete(recipient + "/model.ckpt-2.index");
    assertTrue(CheckpointManager.latestCheckpoint(recipient, config).isEmpty(), "nothing committed mid-copy");
    CheckpointTransplant.copyLatest(donor, recipient, config);
    assertTransplanted(recipient, config, donorAt2);

    // Training goes on in the recipient from the donor's weights and optimizer state.
    try (TestModel model = TestModel.create(); CheckpointManager manager = open(model, recipient, config)) {
      manager.restore(model.session);
      assertValues(donorAt2, model.variableValues());
      save(manager, model, 3, 0.1);
    }
    assertEquals(List.of(2L, 3L),
        CheckpointManager.committedCheckpoints(recipient, config).stream().map(Checkpoint::step).toList());
  }

  private void assertTransplanted(String recipient, StorageConfig config, List<float[]> donorAt2) {
    List<Checkpoint> committed = CheckpointManager.committedCheckpoints(recipient, config);
    assertEquals(List.of(2L), committed.stream().map(Checkpoint::step).toList());
    assertEquals(0.25, committed.get(0).metric("loss"), "the donor's metrics sidecar");
    try (TestModel fresh = TestModel.create(); CheckpointManager manager = open(fresh, recipient, config)) {
      manager.restore(fresh.session);
      assertValues(donorAt2, fresh.variableValues());
    }
  }

  private CheckpointManager open(TestModel model, String dir, StorageConfig storage) {
    return CheckpointManager.open(
        dir, model.saver, model.graph,
        CheckpointManagerOptions.builder().clock(clock).stagingDirectory(tmp.resolve("staging")).build(),
        storage);
  }

  private void save(CheckpointManager manager, TestModel model, long step, double loss) {
    model.trainStep();
    clock.advance(Duration.ofMinutes(1));
    manager.save(model.session, step, Map.of("loss", loss));
  }
}
