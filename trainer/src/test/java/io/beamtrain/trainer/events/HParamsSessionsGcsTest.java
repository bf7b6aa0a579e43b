package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A session on gs://: whole objects, no directory markers, the end object replaced and removed. */
class HParamsSessionsGcsTest {
  static GcsTestServer server;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("logs");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static Clock at(long seconds) {
    return Clock.fixed(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
  }

  private static TrialResult result(TrialStatus status) {
    return new TrialResult("trial-0002", status, 100, 100L, Map.of("eval_loss", 0.5),
        List.of(new TrialResult.Evaluation(100, Map.of("eval_loss", 0.5))),
        Map.of("learning_rate", 0.1), 3, null, null, 10);
  }

  @Test
  void startEndRestartEndLeavesOneStartAndTheLatestEnd() {
    String dir = "gs://logs/sweep/trials/trial-0002";
    String start = HParamsSessions.start(dir, "trial-0002", Map.of("learning_rate", 0.1),
        server.storageConfig(), at(1_700_000_000));
    String startName = start.substring("gs://logs/".length());
    assertEquals(List.of(startName), server.objectNames("logs", "sweep/"));

    HParamsSessions.end(dir, result(TrialStatus.COMPLETED), server.storageConfig(), at(1_700_000_050));
    assertEquals(List.of(startName, startName + HParamsSessions.END_SUFFIX), server.objectNames("logs", "sweep/"));

    HParamsSessions.start(dir, "trial-0002", Map.of("learning_rate", 0.1), server.storageConfig(), at(1_700_000_060));
    assertEquals(List.of(startName), server.objectNames("logs", "sweep/"), "running again: no end");

    String end = HParamsSessions.end(dir, result(TrialStatus.STOPPED), server.storageConfig(), at(1_700_000_090));
    assertEquals(List.of(startName, startName + HParamsSessions.END_SUFFIX), server.objectNames("logs", "sweep/"));
    List<org.tensorflow.proto.Event> events = EventFileReader.readAll(end, server.storageConfig());
    assertEquals(2, events.size());
    assertEquals(1_700_000_090.0, events.get(1).getWallTime());
    assertTrue(server.objectNames("logs").stream().noneMatch(n -> n.endsWith("/")));
  }
}
