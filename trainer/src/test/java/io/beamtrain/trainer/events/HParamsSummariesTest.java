package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class HParamsSummariesTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Instant START = Instant.ofEpochSecond(1_700_000_000, 500_000_000);
  static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);

  @TempDir Path dir;

  static HParamsExperiment penguinStudy() {
    return new HParamsExperiment(
        "penguins",
        "RANDOM search, 12 trials",
        1_700_000_000,
        List.of(
            HParamsParameter.interval("learning_rate", 1e-4, 0.1),
            HParamsParameter.discrete("hidden_units", List.of(32, 64, 128)),
            HParamsParameter.discrete("optimizer", List.of("adam", "sgd")),
            HParamsParameter.discrete("batch_size", List.of(64))),
        List.of(HParamsMetric.of("eval_accuracy"), HParamsMetric.of("loss")));
  }

  @Test
  void experimentFileHasVersionRecordThenTheExperimentSummaryAtStepZero() {
    String path = HParamsEventFile.writeExperiment(dir.toString(), penguinStudy(), CONFIG, CLOCK);

    String name = Path.of(path).getFileName().toString();
    assertTrue(name.matches("events\\.out\\.tfevents\\.1700000000\\..+\\.hparams"), name);
    List<Event> events = EventFileReader.readAll(path, CONFIG); // verifies both CRCs of each record
    assertEquals(2, events.size());
    assertEquals(EventFileWriter.FILE_VERSION, events.get(0).getFileVersion());
    Event event = events.get(1);
    assertEquals(0, event.getStep());
    assertEquals(1_700_000_000.5, event.getWallTime(), 1e-6);
    assertEquals(1, event.getSummary().getValueCount());
    Summary.Value value = event.getSummary().getValue(0);
    assertEquals("_hparams_/experiment", value.getTag());
    assertEquals("hparams", value.getMetadata().getPluginData().getPluginName());
    // TensorBoard's NULL_TENSOR: float vector of length 0.
    assertEquals(DataType.DT_FLOAT, value.getTensor().getDtype());
    assertEquals(1, value.getTensor().getTensorShape().getDimCount());
    assertEquals(0, value.getTensor().getTensorShape().getDim(0).getSize());
  }

  @Test
  void experimentCarriesDomainsAndMetricsAsTensorBoardParsesThem() {
    ByteString content = pluginContent(HParamsSummaries.experiment(penguinStudy()));
    JsonNode data = HParamsProtos.parsePluginData(content);

    assertFalse(data.has("version"), "version 0 is the proto3 default and is left out");
    JsonNode experiment = data.get("experiment");
    assertEquals("penguins", experiment.get("name").asText());
    assertEquals("RANDOM search, 12 trials", experiment.get("description").asText());
    assertEquals(1_700_000_000.0, experiment.get("timeCreatedSecs").asDouble());

    JsonNode infos = experiment.get("hparamInfos");
    assertEquals(4, infos.size());
    JsonNode lr = infos.get(0);
    assertEquals("learning_rate", lr.get("name").asText());
    assertEquals("DATA_TYPE_FLOAT64", lr.get("type").asText());
    assertEquals(1e-4, lr.at("/domainInterval/minValue").asDouble());
    assertEquals(0.1, lr.at("/domainInterval/maxValue").asDouble());
    assertTrue(lr.get("differs").asBoolean());
    JsonNode units = infos.get(1);
    assertEquals("DATA_TYPE_FLOAT64", units.get("type").asText());
    assertEquals("[32.0,64.0,128.0]", units.get("domainDiscrete").toString());
    JsonNode optimizer = infos.get(2);
    assertEquals("DATA_TYPE_STRING", optimizer.get("type").asText());
    assertEquals("[\"adam\",\"sgd\"]", optimizer.get("domainDiscrete").toString());
    assertTrue(optimizer.get("differs").asBoolean());
    JsonNode batch = infos.get(3);
    assertEquals("[64.0]", batch.get("domainDiscrete").toString());
    assertFalse(batch.has("differs"), "a single value does not differ between sessions");

    JsonNode metrics = experiment.get("metricInfos");
    assertEquals(2, metrics.size());
    assertEquals("eval_accuracy", metrics.get(0).at("/name/tag").asText());
    assertFalse(metrics.get(0).get("name").has("group"), "the trial's own run: empty group");
    assertEquals("DATASET_VALIDATION", metrics.get(0).get("datasetType").asText());
    assertEquals("DATASET_TRAINING", metrics.get(1).get("datasetType").asText());
  }

  @Test
  void experimentFieldNumbersDecodeWithoutAnySchema() throws Exception {
    UnknownFieldSet data = UnknownFieldSet.parseFrom(pluginContent(HParamsSummaries.experiment(penguinStudy())));
    assertEquals(List.of(2), List.copyOf(data.asMap().keySet()), "only the experiment member (2)");
    UnknownFieldSet experiment =
        UnknownFieldSet.parseFrom(data.getField(2).getLengthDelimitedList().get(0));
    assertEquals("penguins", experiment.getField(6).getLengthDelimitedList().get(0).toStringUtf8());
    assertEquals(4, experiment.getField(4).getLengthDelimitedList().size()); // hparam_infos
    assertEquals(2, experiment.getField(5).getLengthDelimitedList().size()); // metric_infos
    UnknownFieldSet lr = UnknownFieldSet.parseFrom(experiment.getField(4).getLengthDelimitedList().get(0));
    assertEquals(List.of(3L), lr.getField(4).getVarintList()); // DATA_TYPE_FLOAT64
    UnknownFieldSet interval = UnknownFieldSet.parseFrom(lr.getField(6).getLengthDelimitedList().get(0));
    assertEquals(1e-4, Double.longBitsToDouble(interval.getField(1).getFixed64List().get(0)));
    assertEquals(0.1, Double.longBitsToDouble(interval.getField(2).getFixed64List().get(0)));
  }

  @Test
  void sessionStartHoldsTrialValuesGroupAndModelUri() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("learning_rate", 0.003);
    params.put("hidden_units", 64);
    params.put("optimizer", "adam");
    params.put("batch_norm", true);
    params.put("hidden_layers", List.of(64, 32));
    params.put("dropout", null);
    Summary summary =
        HParamsSummaries.sessionStart("trial-0007", params, "gs://b/sweep/trials/trial-0007", START);

    assertEquals("_hparams_/session_start_info", summary.getValue(0).getTag());
    JsonNode start = HParamsProtos.parsePluginData(pluginContent(summary)).get("sessionStartInfo");
    JsonNode hparams = start.get("hparams");
    assertEquals(0.003, hparams.get("learning_rate").asDouble());
    assertEquals(64.0, hparams.get("hidden_units").asDouble());
    assertTrue(hparams.get("hidden_units").isNumber());
    assertEquals("adam", hparams.get("optimizer").asText());
    assertTrue(hparams.get("batch_norm").isBoolean());
    assertEquals("[64, 32]", hparams.get("hidden_layers").asText());
    assertFalse(hparams.has("dropout"), "null values are left out");
    assertEquals(5, hparams.size());
    assertEquals("trial-0007", start.get("groupName").asText());
    assertEquals("gs://b/sweep/trials/trial-0007", start.get("modelUri").asText());
    assertEquals(1_700_000_000.5, start.get("startTimeSecs").asDouble());
  }

  @ParameterizedTest
  @CsvSource({
    "COMPLETED, STATUS_SUCCESS",
    "STOPPED, STATUS_SUCCESS",
    "DIVERGED, STATUS_FAILURE",
    "FAILED, STATUS_FAILURE",
    "RUNNING, STATUS_RUNNING"
  })
  void sessionEndMapsTrialStatus(TrialStatus trialStatus, String expected) {
    Summary summary = HParamsSummaries.sessionEnd(HParamsSessionStatus.of(trialStatus), START);
    assertEquals("_hparams_/session_end_info", summary.getValue(0).getTag());
    JsonNode end = HParamsProtos.parsePluginData(pluginContent(summary)).get("sessionEndInfo");
    assertEquals(expected, end.get("status").asText());
    assertEquals(1_700_000_000.5, end.get("endTimeSecs").asDouble());
  }

  @Test
  void sessionEndBytesAreExactlyWhatPythonWrites() {
    // HParamsPluginData{session_end_info{status: STATUS_FAILURE, end_time_secs: 1.5}}, by hand:
    // field 4 length-delimited (0x22), 11 bytes: status varint (0x08 0x02), double field 2 (0x11)
    // with 1.5 little-endian.
    byte[] expected = {
      0x22, 0x0b, 0x08, 0x02, 0x11, 0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f
    };
    Summary summary =
        HParamsSummaries.sessionEnd(HParamsSessionStatus.FAILURE, Instant.ofEpochMilli(1500));
    assertArrayEquals(expected, pluginContent(summary).toByteArray());
  }

  @Test
  void sessionEventsRoundTripThroughAnEventsFileInTheTrialDirectory() {
    Path trial = dir.resolve("trials/trial-0003");
    String path =
        HParamsEventFile.write(
            trial.toString(),
            List.of(
                HParamsSummaries.sessionStart("trial-0003", Map.of("learning_rate", 0.01), "", START),
                HParamsSummaries.sessionEnd(HParamsSessionStatus.SUCCESS, START.plusSeconds(60))),
            CONFIG,
            CLOCK);
    List<Event> events = EventFileReader.readAll(path, CONFIG);
    assertEquals(3, events.size());
    assertEquals(HParamsSummaries.SESSION_START_INFO_TAG, events.get(1).getSummary().getValue(0).getTag());
    assertEquals(HParamsSummaries.SESSION_END_INFO_TAG, events.get(2).getSummary().getValue(0).getTag());
    JsonNode end =
        HParamsProtos.parsePluginData(pluginContent(events.get(2).getSummary()));
    assertEquals(1_700_000_060.5, end.at("/sessionEndInfo/endTimeSecs").asDouble());
  }

  @Test
  void secondFileInTheSameSecondGetsAUniqueName() {
    String first = HParamsEventFile.writeExperiment(dir.toString(), penguinStudy(), CONFIG, CLOCK);
    String second = HParamsEventFile.writeExperiment(dir.toString(), penguinStudy(), CONFIG, CLOCK);
    assertEquals(first + ".1", second);
    assertEquals(2, EventFileReader.readAll(second, CONFIG).size());
  }

  @Test
  void corruptedRecordIsDetectedByItsCrc() throws Exception {
    String path = HParamsEventFile.writeExperiment(dir.toString(), penguinStudy(), CONFIG, CLOCK);
    byte[] bytes = Files.readAllBytes(Path.of(path));
    bytes[bytes.length - 10] ^= 0x01; // inside the experiment record's data
    Files.write(Path.of(path), bytes);
    BadInputException e =
        assertThrows(BadInputException.class, () -> EventFileReader.readAll(path, CONFIG));
    assertTrue(e.getMessage().contains("CRC"), e.getMessage());
  }

  @Test
  void badDomainsNameTheHyperparameter() {
    IllegalArgumentException mixed =
        assertThrows(
            IllegalArgumentException.class,
            () -> HParamsParameter.discrete("units", List.of(32, "wide")));
    assertTrue(mixed.getMessage().contains("'units'"), mixed.getMessage());
    IllegalArgumentException interval =
        assertThrows(IllegalArgumentException.class, () -> HParamsParameter.interval("lr", 0.1, 0.01));
    assertTrue(interval.getMessage().contains("'lr'"), interval.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> HParamsParameter.discrete("act", List.of()));
    assertTrue(empty.getMessage().contains("'act'"), empty.getMessage());
    HParamsParameter lr = HParamsParameter.interval("lr", 0.1, 0.1);
    assertThrows(
        IllegalArgumentException.class,
        () -> new HParamsExperiment("", "", 0, List.of(lr, lr), List.of()));
  }

  private static ByteString pluginContent(Summary summary) {
    assertEquals(1, summary.getValueCount());
    Summary.Value value = summary.getValue(0);
    assertEquals(HParamsSummaries.PLUGIN_NAME, value.getMetadata().getPluginData().getPluginName());
    return value.getMetadata().getPluginData().getContent();
  }
}
