package io.beamtrain.pipelines.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every entry point runs the same tuning stage and results tail: an ASHA study and a RANDOM study,
 * with {@code --deterministic}, through {@code beamtrain sweep} (the reference), the sweep
 * template, {@code beamtrain train}, {@code beamtrain retrain} (empty registry) and the retrain
 * template leave the same results.jsonl (but {@code elapsed_seconds}), the same step counts and
 * the same files. The templates are launched as on Dataflow ({@code --templateLaunch}, and a
 * DirectRunner that returns at once), so nothing after the submission writes anything: what they
 * leave is what the pipeline's own final transforms wrote.
 */
class EntryPointEquivalenceTest {
  static final Map<String, String> STUDIES = new LinkedHashMap<>();

  static {
    STUDIES.put("ASHA", """
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: ASHA
        maxTrials: 4
        seed: 11
        trainSteps: 40
        evalEverySteps: 10
        checkpointEverySteps: 10
        search: {eta: 2, minBudget: 10}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """);
    STUDIES.put("RANDOM", """
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: RANDOM
        maxTrials: 2
        seed: 11
        trainSteps: 30
        evalEverySteps: 10
        checkpointEverySteps: 10
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """);
  }

  @TempDir static Path tmp;
  static String input;
  static final Map<String, Outcome> REFERENCE = new LinkedHashMap<>();
  static final List<String> TABLE = new ArrayList<>();

  /** What a run left: results.jsonl without elapsed_seconds, the steps of all trials, its files. */
  record Outcome(List<String> results, long steps, List<String> files) {}

  @BeforeAll
  static void referenceSweeps() throws IOException {
    input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    for (Map.Entry<String, String> study : STUDIES.entrySet()) {
      Path out = tmp.resolve("sweep-" + study.getKey());
      PenguinsData.preprocess(input, out.toString(), StorageConfig.defaults());
      cli("sweep", "--output=" + out, "--study=" + studyFile(study.getKey()), "--deterministic");
      Outcome reference = outcome(out);
      REFERENCE.put(study.getKey(), reference);
      TABLE.add(String.format("| sweep (reference) | %s | %d | - | - |", study.getKey(), reference.steps()));
    }
    // The reference itself: ASHA stopped most trials early, and the tail wrote the report.
    Outcome asha = REFERENCE.get("ASHA");
    assertTrue(asha.steps() < 4 * 40, "ASHA trained " + asha.steps() + " steps, every trial in full is 160");
    assertTrue(asha.files().contains("report.html") && asha.files().contains("best/best.json"), asha.files().toString());
    assertTrue(REFERENCE.get("RANDOM").files().contains("report.html"));
  }

  @AfterAll
  static void printTable() {
    System.out.println("| entry point | study | steps | identical results.jsonl | same files |");
    System.out.println("| --- | --- | --- | --- | --- |");
    TABLE.forEach(System.out::println);
  }

  @Test
  void sweepTemplateRunsTheSameStudies() throws Exception {
    for (String study : STUDIES.keySet()) {
      Path out = tmp.resolve("sweep-template-" + study);
      PenguinsData.preprocess(input, out.toString(), StorageConfig.defaults());
      PipelineResult job = SweepTemplate.launch(PipelineOptionsFactory.fromArgs(
              "--output=" + out, "--study=" + studyFile(study), "--deterministic",
              "--templateLaunch", "--blockOnRun=false")
          .withValidation().as(SweepTemplate.Options.class));
      assertEquals(PipelineResult.State.DONE, job.waitUntilFinish());
      compare("sweep template", study, outcome(out));
    }
  }

  @Test
  void trainRunsTheSameStudies() throws Exception {
    for (String study : STUDIES.keySet()) {
      Path out = tmp.resolve("train-" + study);
      cli("train", "--input=" + input, "--label=" + PenguinsData.LABEL, "--output=" + out,
          "--study=" + studyFile(study), "--deterministic");
      compare("train", study, outcome(out));
    }
  }

  @Test
  void retrainRunsTheSameStudies() throws Exception {
    for (String study : STUDIES.keySet()) {
      Path models = tmp.resolve("retrain-" + study);
      cli("retrain", "--input=" + input, "--label=" + PenguinsData.LABEL, "--models=" + models,
          "--study=" + studyFile(study), "--deterministic");
      compare("retrain", study, outcome(onlyRun(models)));
    }
  }

  @Test
  void retrainTemplateRunsTheSameStudies() throws Exception {
    for (String study : STUDIES.keySet()) {
      Path models = tmp.resolve("retrain-template-" + study);
      Optional<PipelineResult> job = RetrainTemplate.launch(PipelineOptionsFactory.fromArgs(
              "--input=" + input, "--label=" + PenguinsData.LABEL, "--models=" + models,
              "--study=" + studyFile(study), "--deterministic", "--templateLaunch", "--blockOnRun=false")
          .withValidation().as(RetrainTemplate.Options.class));
      assertEquals(PipelineResult.State.DONE, job.orElseThrow().waitUntilFinish());
      compare("retrain template", study, outcome(onlyRun(models)));
    }
  }

  private static void compare(String entryPoint, String study, Outcome outcome) {
    Outcome reference = REFERENCE.get(study);
    boolean sameResults = reference.results().equals(outcome.results());
    boolean sameFiles = reference.files().equals(outcome.files());
    TABLE.add(String.format("| %s | %s | %d | %s | %s |", entryPoint, study, outcome.steps(),
        sameResults ? "yes" : "no", sameFiles ? "yes" : "no"));
    assertEquals(reference.results(), outcome.results(), entryPoint + " " + study + ": results.jsonl");
    assertEquals(reference.steps(), outcome.steps(), entryPoint + " " + study + ": steps");
    assertEquals(reference.files(), outcome.files(), entryPoint + " " + study + ": files");
  }

  /** The run directory of a registry's only retrain run. */
  private static Path onlyRun(Path models) throws IOException {
    try (Stream<Path> runs = Files.list(models.resolve(ModelRegistry.RUNS))) {
      List<Path> all = runs.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  static Outcome outcome(Path root) throws IOException {
    List<String> results = new ArrayList<>();
    long steps = 0;
    for (String line : Files.readAllLines(root.resolve("results.jsonl"))) {
      TrialResult result = TrialResult.fromJson(line, "results.jsonl");
      steps += result.steps();
      results.add(line.replaceAll("\"elapsed_seconds\":[^,}]*,?", "")
          .replaceAll("\"serving_latency_ms\":[^,}]*,?", ""));
    }
    return new Outcome(results, steps, files(root));
  }

  /**
   * Every file under {@code root}, relative and sorted, with the time, the host and the suffix that
   * keeps names taken in the same second apart masked in TensorBoard file names (a promoted trial
   * opens one events file per attempt); without the local storage's lock files and retrain's own
   * run.json.
   */
  static List<String> files(Path root) throws IOException {
    String host = InetAddress.getLocalHost().getHostName();
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
          .filter(p -> !p.endsWith(".beamtrain-lock") && !p.equals("run.json"))
          .map(p -> p.replaceAll("events\\.out\\.tfevents\\.\\d+\\.", "events.out.tfevents.<secs>.")
              .replace(host, "<host>")
              .replaceAll("(events\\.out\\.tfevents\\.<secs>\\.<host>.*?)\\.\\d+$", "$1"))
          .forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  static String studyFile(String name) {
    Path path = tmp.resolve(name + ".yaml");
    try {
      if (!Files.exists(path)) {
        Files.writeString(path, STUDIES.get(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path.toString();
  }

  static void cli(String... args) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(log, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args);
    assertEquals(0, status, String.join(" ", args) + ":\n" + log.toString(StandardCharsets.UTF_8));
  }
}
