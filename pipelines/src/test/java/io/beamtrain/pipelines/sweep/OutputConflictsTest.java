package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.commands.SweepPipelineTest;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialRefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run refused for what its output holds leaves every byte of the output as it was, and the
 * study that wrote it still resumes there. Study A trains two small trials into one output; then
 * runs that must be refused (another study, another --seed, a trial directory of another study,
 * data preprocessed again) each exit 2 with one line, and A resumes to the same results.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutputConflictsTest {
  private static final String STUDY_A = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: RANDOM
      maxTrials: 2
      seed: 11
      trainSteps: 100
      evalEverySteps: 50
      checkpointEverySteps: 50
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.05, scale: LOG}
      fixed: {model: dnn, hidden_units: 16, num_layers: 1, batch_size: 32}
      """;
  /** A with another range: the same trial ids, other learning rates. */
  private static final String STUDY_B = STUDY_A.replace("max: 0.05", "max: 0.09");

  @TempDir static Path tmp;
  static OutputLayout layout;
  static String studyA;
  static String studyB;
  static List<String> firstResults;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void sweepStudyA() throws Exception {
    layout = PenguinsData.preprocessedOutput(tmp);
    studyA = tmp.resolve("a.yaml").toString();
    studyB = tmp.resolve("b.yaml").toString();
    Files.writeString(Path.of(studyA), STUDY_A);
    Files.writeString(Path.of(studyB), STUDY_B);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), Commands.all())
        .run("sweep", "--output=" + layout.root(), "--study=" + studyA, "--progressEverySeconds=0");
    assertEquals(0, status, err.toString());
    firstResults = SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl())));
  }

  private int sweep(String... flags) {
    String[] args = Stream.concat(Stream.of("sweep", "--output=" + layout.root(), "--progressEverySeconds=0"),
        Stream.of(flags)).toArray(String[]::new);
    return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all()).run(args);
  }

  /** Asserts exit 2 with one line on stderr that names each of {@code mentions}. */
  private void assertRefused(int status, String... mentions) {
    String text = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(2, status, text);
    assertFalse(text.contains("\n"), "one line expected: " + text);
    assertTrue(text.startsWith("beamtrain sweep: "), text);
    for (String mention : mentions) {
      assertTrue(text.contains(mention), mention + " not in: " + text);
    }
  }

  /** Every file under the output, path -> sha256. */
  static Map<String, String> snapshot(Path root) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return files;
  }

  private static Path root() {
    return Path.of(layout.root());
  }

  @Test
  @Order(1)
  void anotherStudyIsRefusedBeforeAnythingIsWritten() {
    Map<String, String> before = snapshot(root());

    assertRefused(sweep("--study=" + studyB), layout.root(), "parameters[0].max", "study.json");

    assertEquals(before, snapshot(root()));
  }

  @Test
  @Order(2)
  void anotherSeedIsRefusedBeforeAnythingIsWritten() {
    Map<String, String> before = snapshot(root());

    assertRefused(sweep("--study=" + studyA, "--seed=12"), layout.root(), "seed=11", "seed=12");

    assertEquals(before, snapshot(root()));
  }

  @Test
  @Order(3)
  void aTrialDirectoryOfAnotherStudyIsRefusedWithoutStudyJson() throws Exception {
    Path studyJson = Path.of(layout.studyJson());
    byte[] recorded = Files.readAllBytes(studyJson);
    Files.delete(studyJson);
    try {
      Map<String, String> before = snapshot(root());

      assertRefused(sweep("--study=" + studyB), layout.trialDir("trial-0000"), "params.learning_rate");

      assertEquals(before, snapshot(root()));
    } finally {
      Files.write(studyJson, recorded);
    }
  }

  @Test
  @Order(4)
  void dataPreprocessedAgainUnderTheTrialsIsRefused() throws Exception {
    Path transform = Path.of(layout.transformJson());
    byte[] original = Files.readAllBytes(transform);
    Files.writeString(transform, new String(original, StandardCharsets.UTF_8) + "\n");
    try {
      Map<String, String> before = snapshot(root());

      assertRefused(sweep("--study=" + studyA), layout.transformJson(), "changed under the trials");

      assertEquals(before, snapshot(root()));
    } finally {
      Files.write(transform, original);
    }
  }

  @Test
  @Order(5)
  void aWorkerNeverRecordsARefusedTrialAsItsResult() throws Exception {
    SweepPlan planB = SweepPlan.resolve(options("--study=" + studyB), layout, StorageConfig.defaults(), true);
    Trial trial = planB.trials().get(0);
    Map<String, String> before = snapshot(root());

    TrialRefusedException e = assertThrows(TrialRefusedException.class,
        () -> new TrialExecutor(planB.settings()).execute(trial));

    assertTrue(e.getMessage().contains("already holds trial"), e.getMessage());
    assertEquals(before, snapshot(root()));
  }

  @Test
  @Order(6)
  void theStudyThatWroteTheOutputResumesToTheSameResults() throws Exception {
    Path checkpoint = Path.of(layout.trialDir("trial-0000"), "model.ckpt-100.index");
    byte[] weights = Files.readAllBytes(checkpoint);

    assertEquals(0, sweep("--study=" + studyA), err.toString(StandardCharsets.UTF_8));

    assertEquals(firstResults, SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl()))));
    assertEquals(HexFormat.of().formatHex(weights), HexFormat.of().formatHex(Files.readAllBytes(checkpoint)));
    String summary = out.toString(StandardCharsets.UTF_8);
    assertTrue(summary.startsWith("sweep: 2 trials in "), summary);
    assertTrue(summary.contains("(2 already done, 0 trained; 2 succeeded, 0 failed)"), summary);
  }

  @Test
  @Order(7)
  void aResumedSweepCountsOnlyTheStepsItTrains() throws Exception {
    // trial-0001 starts over; trial-0000 is done and must add no steps.
    try (Stream<Path> files = Files.walk(Path.of(layout.trialDir("trial-0001")))) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
    SweepPlan plan = SweepPlan.resolve(options("--study=" + studyA), layout, StorageConfig.defaults(), true);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Sweep", Sweep.of(plan.trials(), plan.settings()));

    PipelineResult result = PipelineRuns.runToCompletion(pipeline);

    assertEquals(100, counter(result, "training_steps"));
    assertEquals(firstResults, SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl()))));
  }

  @Test
  @Order(8)
  void eval_aucOnThreeClassesIsRefusedAtValidationNamingTheMetric() throws Exception {
    OutputLayout other = new OutputLayout(tmp.resolve("auc").toString());
    Files.createDirectories(Path.of(other.data()));
    try (Stream<Path> files = Files.list(Path.of(layout.data()))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, Path.of(other.data()).resolve(file.getFileName()));
      }
    }
    Path study = tmp.resolve("auc.yaml");
    Files.writeString(study, STUDY_A.replace("{name: eval_loss, goal: MINIMIZE}", "{name: eval_auc, goal: MAXIMIZE}"));
    Map<String, String> before = snapshot(Path.of(other.root()));

    int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all())
        .run("sweep", "--output=" + other.root(), "--study=" + study, "--progressEverySeconds=0");

    assertRefused(status, "metric.name", "eval_auc", "3 classes");
    assertEquals(before, snapshot(Path.of(other.root())));
  }

  private static SweepPipeline.Options options(String... flags) {
    String[] args = Stream.concat(Stream.of("--output=" + layout.root()), Stream.of(flags)).toArray(String[]::new);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(SweepPipeline.Options.class);
  }

  private static long counter(PipelineResult run, String name) {
    long total = 0;
    for (MetricResult<Long> c : run.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(RunTrials.METRICS_NAMESPACE, name)).build()).getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
