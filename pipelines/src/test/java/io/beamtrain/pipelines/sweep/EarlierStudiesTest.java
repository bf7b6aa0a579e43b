package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.WarmStartSpec;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.data.TransformSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading earlier sweeps for a warm start: what is taken, what is refused, what is only warned about. */
class EarlierStudiesTest {
  private static final StorageConfig LOCAL = StorageConfig.defaults();
  private static final String SPACE = """
      parameters:
        - {name: optimizer, type: CATEGORICAL, values: [adam, momentum]}
        - {name: momentum, type: DOUBLE, min: 0.5, max: 0.99, when: {optimizer: [momentum]}}
        - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}
      fixed: {model: dnn}
      """;

  @TempDir Path tmp;

  private static StudySpec study(String metric, String warmStart) {
    return StudySpecParser.parse("metric: {name: " + metric + "}\nalgorithm: TPE\nmaxTrials: 8\n" + SPACE
        + (warmStart == null ? "" : "warmStart: " + warmStart + "\n"), "study.yaml");
  }

  private static TrialResult result(int i, Map<String, Object> params) {
    return new TrialResult(String.format("trial-%04d", i), TrialStatus.COMPLETED, 10, 10L,
        Map.of("eval_loss", 0.5 + i, "eval_accuracy", 0.9), List.of(), params, i, null, null, 0);
  }

  /** An earlier sweep's output: study.json and results.jsonl. */
  private String earlier(String name, String metric, List<TrialResult> results) throws Exception {
    OutputLayout layout = new OutputLayout(tmp.resolve(name).toString());
    Files.createDirectories(Path.of(layout.root()));
    Files.writeString(Path.of(layout.studyJson()), StudySpecWriter.toJson(study(metric, null)));
    ResultsFiles.write(layout, results, LOCAL);
    return layout.root();
  }

  private static final List<TrialResult> FIVE = List.of(
      result(0, Map.of("model", "dnn", "optimizer", "adam", "learning_rate", 0.01)),
      result(1, Map.of("model", "dnn", "optimizer", "momentum", "momentum", 0.9, "learning_rate", 0.02)),
      result(2, Map.of("model", "dnn", "optimizer", "adam", "learning_rate", 0.5)),          // outside the range
      result(3, Map.of("model", "linear", "optimizer", "adam", "learning_rate", 0.01)),     // another fixed model
      result(4, Map.of("model", "dnn", "optimizer", "momentum", "learning_rate", 0.01)));   // active momentum missing

  @Test
  void takesTheTrialsInsideTheSpaceRenamedWithTheirSearchedValuesAndRecordsIt() throws Exception {
    String dir = earlier("a", "eval_loss", FIVE);
    EarlierStudies.Loaded loaded = EarlierStudies.load(study("eval_loss", "{from: [" + dir + "]}"), null, LOCAL, true);
    assertEquals(List.of("warm0/trial-0000", "warm0/trial-0001"), loaded.results().stream().map(TrialResult::trial).toList());
    assertEquals(Map.of("optimizer", "adam", "learning_rate", 0.01), loaded.results().get(0).params());
    assertEquals(0.5, loaded.results().get(0).metric("eval_loss"));
    WarmStartSpec.Source source = loaded.study().warmStart().taken().get(0);
    assertEquals(new WarmStartSpec.Source(dir, 2, 3, "3 trials outside this study's space or fixed values"), source);
    // study.json records the resolved warm start and reads back to it (and to the same study.json).
    String json = StudySpecWriter.toJson(loaded.study());
    assertTrue(json.contains("\"taken\""), json);
    StudySpec reread = StudySpecParser.parse(json, "study.json");
    assertEquals(loaded.study().warmStart(), reread.warmStart());
    assertEquals(json, StudySpecWriter.toJson(reread));
  }

  @Test
  void aSourceThatIsNotASweepOutputIsRefusedNamingTheFieldUnlessFromTheRegistry() throws Exception {
    String good = earlier("a", "eval_loss", FIVE);
    String missing = tmp.resolve("no-such-sweep").toString();
    StudySpec study = study("eval_loss", "{from: [" + good + ", " + missing + "]}");
    InvalidStudyException e = assertThrows(InvalidStudyException.class, () -> EarlierStudies.load(study, null, LOCAL, true));
    assertEquals("warmStart.from[1]", e.field());
    assertTrue(e.getMessage().contains(missing + " is not the output of a sweep (no study.json)"), e.getMessage());
    // Retrain's registry runs: warned about and skipped.
    EarlierStudies.Loaded lenient = EarlierStudies.load(study, null, LOCAL, false);
    assertEquals(2, lenient.results().size());
    assertEquals(0, lenient.study().warmStart().taken().get(1).trials());
  }

  @Test
  void aStudyOfAnotherMetricGivesNoTrialsAndSaysWhy() throws Exception {
    String dir = earlier("acc", "eval_accuracy", FIVE);
    EarlierStudies.Loaded loaded = EarlierStudies.load(study("eval_loss", "{from: [" + dir + "]}"), null, LOCAL, true);
    assertEquals(List.of(), loaded.results());
    WarmStartSpec.Source source = loaded.study().warmStart().taken().get(0);
    assertEquals(0, source.trials());
    assertEquals("it optimised eval_accuracy (MAXIMIZE), this study eval_loss (MINIMIZE)", source.note());
  }

  @Test
  void aStudyOfAnotherLabelGivesNoTrialsAndSaysWhy() throws Exception {
    OutputLayout penguins = PenguinsData.preprocessedOutput(tmp.resolve("penguins"));
    String dir = earlier("species", "eval_loss", FIVE);
    Files.createDirectories(Path.of(dir, "data"));
    Files.copy(Path.of(penguins.transformJson()), Path.of(dir, "data", "transform.json"));
    TransformSpec.LabelSpec species = TransformSpec.fromJson(Files.readString(Path.of(penguins.transformJson())), "t").label();
    StudySpec study = study("eval_loss", "{from: [" + dir + "]}");
    assertEquals(2, EarlierStudies.load(study, species, LOCAL, true).results().size(), "same label: taken");
    TransformSpec.LabelSpec island = new TransformSpec.LabelSpec("island", species.task(), species.vocabulary(), null, null);
    EarlierStudies.Loaded other = EarlierStudies.load(study, island, LOCAL, true);
    assertEquals(List.of(), other.results());
    assertEquals("it trained label 'species' (MULTICLASS_CLASSIFICATION), this study's data has 'island'"
        + " (MULTICLASS_CLASSIFICATION)", other.study().warmStart().taken().get(0).note());
  }

  @Test
  void aSearchThatLearnsNothingFromEarlierTrialsRefusesAWarmStart() {
    InvalidStudyException e = assertThrows(InvalidStudyException.class, () -> StudySpecParser.parse(
        "metric: {name: eval_loss}\nalgorithm: RANDOM\n" + SPACE + "warmStart: {from: [x]}\n", "s.yaml"));
    assertEquals("warmStart", e.field());
    assertTrue(e.getMessage().contains("RANDOM does not learn from earlier trials"), e.getMessage());
    InvalidStudyException empty = assertThrows(InvalidStudyException.class, () -> study("eval_loss", "{from: []}"));
    assertEquals("warmStart.from", empty.field());
  }
}
