package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.UnknownFieldSet;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.events.EventFileReader;
import io.beamtrain.trainer.events.HParamsSummaries;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** The sweep root's HParams experiment, decoded by field number (tensorboard.hparams protos). */
class StudyHParamsTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

  @TempDir Path dir;

  private static UnknownFieldSet message(ByteString bytes) throws Exception {
    return UnknownFieldSet.parseFrom(bytes);
  }

  private static String text(UnknownFieldSet message, int field) {
    return message.getField(field).getLengthDelimitedList().get(0).toStringUtf8();
  }

  @Test
  void experimentHasTheStudysDomainsFixedValuesAndMetrics() throws Exception {
    SweepOutputFixture.finished(dir, 2);
    String path = StudyHParams.writeExperiment(dir.toString(), CONFIG, CLOCK);

    assertEquals(dir.toString(), Path.of(path).getParent().toString(), "at the sweep root");
    List<Event> events = EventFileReader.readAll(path, CONFIG);
    assertEquals(2, events.size());
    Summary.Value value = events.get(1).getSummary().getValue(0);
    assertEquals(HParamsSummaries.EXPERIMENT_TAG, value.getTag());
    UnknownFieldSet experiment =
        message(message(value.getMetadata().getPluginData().getContent()).getField(2).getLengthDelimitedList().get(0));
    assertEquals(dir.toString(), text(experiment, 6));

    List<String> names = new ArrayList<>();
    for (ByteString info : experiment.getField(4).getLengthDelimitedList()) {
      names.add(text(message(info), 1));
    }
    assertEquals(List.of("learning_rate", "hidden_units", "num_layers", "optimizer", "batch_size", "model"), names);
    UnknownFieldSet lr = message(experiment.getField(4).getLengthDelimitedList().get(0));
    assertEquals(List.of(3L), lr.getField(4).getVarintList(), "DATA_TYPE_FLOAT64");
    UnknownFieldSet interval = message(lr.getField(6).getLengthDelimitedList().get(0));
    assertEquals(1e-4, Double.longBitsToDouble(interval.getField(1).getFixed64List().get(0)));
    assertEquals(0.1, Double.longBitsToDouble(interval.getField(2).getFixed64List().get(0)));
    UnknownFieldSet optimizer = message(experiment.getField(4).getLengthDelimitedList().get(3));
    assertEquals(List.of(1L), optimizer.getField(4).getVarintList(), "DATA_TYPE_STRING");
    ListValue choices = ListValue.parseFrom(optimizer.getField(5).getLengthDelimitedList().get(0));
    assertEquals(List.of("sgd", "adam"), choices.getValuesList().stream().map(v -> v.getStringValue()).toList());
    UnknownFieldSet model = message(experiment.getField(4).getLengthDelimitedList().get(5));
    assertEquals("dnn", ListValue.parseFrom(model.getField(5).getLengthDelimitedList().get(0)).getValues(0).getStringValue());

    List<String> metrics = new ArrayList<>();
    for (ByteString info : experiment.getField(5).getLengthDelimitedList()) {
      metrics.add(text(message(message(info).getField(1).getLengthDelimitedList().get(0)), 2));
    }
    assertEquals(List.of("eval_accuracy", "eval_loss", "loss"), metrics);
  }

  @Test
  void missingStudyIsNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StudyHParams.writeExperiment(dir.toString(), CONFIG, CLOCK));
    assertTrue(e.getMessage().contains("study.json: no study file"), e.getMessage());
  }
}
