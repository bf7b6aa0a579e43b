package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class HParamsSessionsTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_100), ZoneOffset.UTC);

  @TempDir Path dir;

  private static TrialResult result(TrialStatus status) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("learning_rate", 0.01);
    params.put("optimizer", "adam");
    params.put("hidden_layers", List.of(64, 32));
    return new TrialResult(
        "trial-0004", status, 2000, 1800L, Map.of("eval_accuracy", 0.97),
        List.of(new TrialResult.Evaluation(1800, Map.of("eval_accuracy", 0.97))),
        params, 7, null, null, 42.5);
  }

  private static JsonNode content(Event event) {
    Summary.Value value = event.getSummary().getValue(0);
    assertEquals(HParamsSummaries.PLUGIN_NAME, value.getMetadata().getPluginData().getPluginName());
    return HParamsProtos.parsePluginData(value.getMetadata().getPluginData().getContent());
  }

  @Test
  void finishedTrialIsASessionWithStartAndEnd() {
    String trialDir = dir.resolve("trials/trial-0004").toString();
    String path = HParamsSessions.write(trialDir, result(TrialStatus.DIVERGED), CONFIG, CLOCK);

    assertTrue(path.startsWith(trialDir + "/events.out.tfevents.1700000100."), path);
    List<Event> events = EventFileReader.readAll(path, CONFIG);
    assertEquals(3, events.size());
    JsonNode start = content(events.get(1)).get("sessionStartInfo");
    assertEquals("trial-0004", start.get("groupName").asText());
    assertEquals(trialDir, start.get("modelUri").asText());
    assertEquals(1_700_000_100 - 42.5, start.get("startTimeSecs").asDouble(), 1e-3);
    assertEquals(0.01, start.at("/hparams/learning_rate").asDouble());
    assertEquals("adam", start.at("/hparams/optimizer").asText());
    assertEquals("[64, 32]", start.at("/hparams/hidden_layers").asText());
    JsonNode end = content(events.get(2)).get("sessionEndInfo");
    assertEquals("STATUS_FAILURE", end.get("status").asText());
    assertEquals(1_700_000_100.0, end.get("endTimeSecs").asDouble());
  }

  @Test
  void runningTrialHasNoEndYet() {
    String path = HParamsSessions.write(dir.toString(), result(TrialStatus.RUNNING), CONFIG, CLOCK);
    List<Event> events = EventFileReader.readAll(path, CONFIG);
    assertEquals(2, events.size());
    assertEquals(HParamsSummaries.SESSION_START_INFO_TAG, events.get(1).getSummary().getValue(0).getTag());
  }
}
