package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** Session files read back as TensorBoard would: framing and CRCs, then the plugin's protos. */
class HParamsSessionsTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path dir;

  private static Clock at(long seconds) {
    return Clock.fixed(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
  }

  private static Map<String, Object> params() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("learning_rate", 0.01);
    params.put("optimizer", "adam");
    params.put("hidden_layers", List.of(64, 32));
    return params;
  }

  private static TrialResult result(TrialStatus status) {
    return new TrialResult(
        "trial-0004", status, 2000, 1800L, Map.of("eval_accuracy", 0.97),
        List.of(new TrialResult.Evaluation(1800, Map.of("eval_accuracy", 0.97))),
        params(), 7, null, null, 42.5);
  }

  private static JsonNode content(Event event) {
    Summary.Value value = event.getSummary().getValue(0);
    assertEquals(HParamsSummaries.PLUGIN_NAME, value.getMetadata().getPluginData().getPluginName());
    return HParamsProtos.parsePluginData(value.getMetadata().getPluginData().getContent());
  }

  /** Every HParams summary of the directory, in the order TensorBoard reads its files (by name). */
  private List<JsonNode> sessionSummaries(Path trialDir) throws IOException {
    List<JsonNode> all = new ArrayList<>();
    for (Path file : hparamsFiles(trialDir)) {
      List<Event> events = EventFileReader.readAll(file.toString(), CONFIG);
      assertEquals(EventFileWriter.FILE_VERSION, events.get(0).getFileVersion(), file + " starts with the version");
      events.stream().skip(1).map(HParamsSessionsTest::content).forEach(all::add);
    }
    return all;
  }

  private static List<Path> hparamsFiles(Path trialDir) throws IOException {
    try (Stream<Path> files = Files.list(trialDir)) {
      return files.filter(p -> p.getFileName().toString().contains(HParamsEventFile.SUFFIX)).sorted().toList();
    }
  }

  @Test
  void startIsWrittenWhenTheTrialStartsAndTheEndBesideItWhenItEnds() throws IOException {
    Path trial = dir.resolve("trials/trial-0004");
    String trialDir = trial.toString();
    String start = HParamsSessions.start(trialDir, "trial-0004", params(), CONFIG, at(1_700_000_000));

    assertTrue(start.startsWith(trialDir + "/events.out.tfevents.1700000000."), start);
    List<JsonNode> running = sessionSummaries(trial);
    assertEquals(1, running.size(), "a running trial: a start, no end yet");
    JsonNode info = running.get(0).get("sessionStartInfo");
    assertEquals("trial-0004", info.get("groupName").asText());
    assertEquals(trialDir, info.get("modelUri").asText());
    assertEquals(1_700_000_000.0, info.get("startTimeSecs").asDouble());
    assertEquals(0.01, info.at("/hparams/learning_rate").asDouble());
    assertEquals("adam", info.at("/hparams/optimizer").asText());
    assertEquals("[64, 32]", info.at("/hparams/hidden_layers").asText());

    String end = HParamsSessions.end(trialDir, result(TrialStatus.DIVERGED), CONFIG, at(1_700_000_100));

    assertEquals(start + HParamsSessions.END_SUFFIX, end);
    List<JsonNode> ended = sessionSummaries(trial);
    assertEquals(2, ended.size());
    assertEquals(info, ended.get(0).get("sessionStartInfo"), "the start is left as it was");
    JsonNode endInfo = ended.get(1).get("sessionEndInfo");
    assertEquals("STATUS_FAILURE", endInfo.get("status").asText());
    assertEquals(1_700_000_100.0, endInfo.get("endTimeSecs").asDouble());
  }

  @Test
  void aTrialTrainedInRungsIsOneSessionWhoseEndIsTheLatest() throws IOException {
    Path trial = dir.resolve("trial-0004");
    String trialDir = trial.toString();
    HParamsSessions.start(trialDir, "trial-0004", params(), CONFIG, at(1_700_000_000));
    HParamsSessions.end(trialDir, result(TrialStatus.COMPLETED), CONFIG, at(1_700_000_100));
    assertEquals("STATUS_SUCCESS", sessionSummaries(trial).get(1).at("/sessionEndInfo/status").asText());

    // Promoted to the next rung: still the same start, and running again (no end).
    HParamsSessions.start(trialDir, "trial-0004", params(), CONFIG, at(1_700_000_200));
    List<JsonNode> again = sessionSummaries(trial);
    assertEquals(1, again.size(), again.toString());
    assertEquals(1_700_000_000.0, again.get(0).at("/sessionStartInfo/startTimeSecs").asDouble());

    HParamsSessions.end(trialDir, result(TrialStatus.DIVERGED), CONFIG, at(1_700_000_300));
    List<JsonNode> last = sessionSummaries(trial);
    assertEquals(2, last.size(), "one start and one end: TensorBoard keeps the first of each");
    assertEquals(1_700_000_000.0, last.get(0).at("/sessionStartInfo/startTimeSecs").asDouble());
    assertEquals("STATUS_FAILURE", last.get(1).at("/sessionEndInfo/status").asText());
    assertEquals(1_700_000_300.0, last.get(1).at("/sessionEndInfo/endTimeSecs").asDouble());
    assertEquals(2, hparamsFiles(trial).size());
  }

  @Test
  void anEndWithoutAStartWritesTheStartDatedTheTrialsElapsedTimeBefore() throws IOException {
    Path trial = dir.resolve("trial-0004");
    HParamsSessions.end(trial.toString(), result(TrialStatus.FAILED), CONFIG, at(1_700_000_100));

    List<JsonNode> summaries = sessionSummaries(trial);
    assertEquals(2, summaries.size());
    assertEquals(1_700_000_100 - 42.5, summaries.get(0).at("/sessionStartInfo/startTimeSecs").asDouble(), 1e-3);
    assertEquals("STATUS_FAILURE", summaries.get(1).at("/sessionEndInfo/status").asText());
  }

  @Test
  void aRunningResultHasNoEnd() throws IOException {
    Path trial = dir.resolve("trial-0004");
    String path = HParamsSessions.end(trial.toString(), result(TrialStatus.RUNNING), CONFIG, at(1_700_000_100));

    assertFalse(path.endsWith(HParamsSessions.END_SUFFIX), path);
    List<JsonNode> summaries = sessionSummaries(trial);
    assertEquals(1, summaries.size());
    assertTrue(summaries.get(0).has("sessionStartInfo"));
  }

  @Test
  void sessionStartFilesAreToldApartFromEndsAndScalars() {
    assertTrue(HParamsSessions.isSessionStart("events.out.tfevents.1700000000.host.hparams"));
    assertTrue(HParamsSessions.isSessionStart("events.out.tfevents.1700000000.host.hparams.1"));
    assertFalse(HParamsSessions.isSessionStart("events.out.tfevents.1700000000.host.hparams-end"));
    assertFalse(HParamsSessions.isSessionStart("events.out.tfevents.1700000000.host"));
  }
}
