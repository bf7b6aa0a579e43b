package io.beamtrain.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.testing.TrialResults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {
  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all()).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Asserts a one-line error message on stderr, with no stack trace. */
  private void assertOneLineError(String expectedStart) {
    String text = err().strip();
    assertFalse(text.contains("\n"), "one line expected: " + text);
    assertFalse(text.contains("\tat "), text);
    assertTrue(text.startsWith(expectedStart), text);
  }

  @Test
  void noArgumentsPrintsUsageAndExitsTwo() {
    assertEquals(2, run());
    assertTrue(err().contains("Usage: beamtrain <command>"), err());
  }

  @Test
  void helpListsEveryCommand() {
    assertEquals(0, run("--help"));
    for (String command : new String[] {"preprocess", "sweep", "export", "train", "predict", "report", "demo"}) {
      assertTrue(out().contains("\n  " + command + " "), command + " missing from:\n" + out());
    }
  }

  @ParameterizedTest
  @CsvSource({
      "preprocess, --input=<string>",
      "preprocess, --maxRejectedFraction=<number>",
      "sweep, --output=<string>  (required)",
      "sweep, --study=<string>",
      "sweep, --trialsPerWorker=<int>",
      "export, --output=<string>  (required)",
      "train, --label=<string>  (required)",
      "train, --seed=<int>",
      "predict, --model=<string>  (required)",
      "predict, --predictions=<string>  (required)",
      "demo, --output=<string>",
      "report, --output=<string>  (required)",
      "report, --metric=<string>",
  })
  void commandHelpListsItsFlags(String command, String flag) {
    assertEquals(0, run(command, "--help"));
    assertTrue(out().contains("\n  " + flag + "\n"), flag + " missing from:\n" + out());
  }

  @Test
  void commandHelpShowsDescriptionsAndDefaults() {
    assertEquals(0, run("sweep", "--help"));
    assertTrue(out().contains("Seconds between progress lines"), out());
    assertTrue(out().contains("Default: 5."), out());
  }

  @Test
  void unknownCommand() {
    assertEquals(2, run("frobnicate"));
    assertOneLineError("beamtrain: unknown command 'frobnicate'; expected one of preprocess, sweep,");
  }

  @Test
  void unknownFlagIsNamed() {
    assertEquals(2, run("sweep", "--outptu=" + tmp));
    assertOneLineError("beamtrain sweep: unknown flag --outptu");
  }

  @Test
  void missingRequiredFlagIsNamed() {
    assertEquals(2, run("predict", "--model=m", "--input=i"));
    assertOneLineError("beamtrain predict: missing required flag --predictions");
  }

  /** --input is no longer a required flag (--query may replace it), so its absence is checked. */
  @Test
  void preprocessWithoutInputOrQueryNamesBoth() {
    assertEquals(2, run("preprocess", "--output=" + tmp.resolve("out"), "--label=species"));
    assertOneLineError("beamtrain preprocess: --input is required");
  }

  @Test
  void positionalArgumentIsRejected() {
    assertEquals(2, run("sweep", "out"));
    assertOneLineError("beamtrain sweep: unexpected argument 'out'");
  }

  @Test
  void badNumberInAFlag() {
    assertEquals(2, run("sweep", "--output=" + tmp, "--seed=abc"));
    assertOneLineError("beamtrain sweep: --seed: 'abc' is not a valid Long");
  }

  @Test
  void invalidStudyNamesFileAndField() throws Exception {
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.1, max: 0.01}
        """);
    assertEquals(2, run("sweep", "--output=" + tmp, "--study=" + study));
    assertOneLineError("beamtrain sweep: " + study + ": parameters[0].min: 0.1 is greater than max 0.01");
  }

  @Test
  void missingStudyFileIsNamed() {
    assertEquals(2, run("sweep", "--output=" + tmp, "--study=" + tmp.resolve("nope.yaml")));
    assertOneLineError("beamtrain sweep: " + tmp.resolve("nope.yaml") + ": <root>: file not found");
  }

  @Test
  void sweepWithoutPreprocessedDataPointsToPreprocess() {
    assertEquals(2, run("sweep", "--output=" + tmp));
    assertOneLineError("beamtrain sweep: --output: " + tmp.resolve("data/transform.json") + " not found;");
    assertTrue(err().contains("beamtrain preprocess"), err());
  }

  @Test
  void badOverrideIsNamed() {
    assertEquals(2, run("sweep", "--output=" + tmp, "--maxTrials=0"));
    assertOneLineError("beamtrain sweep: --maxTrials must be at least 1, was 0");
  }

  @Test
  void exportWithoutResults() {
    assertEquals(2, run("export", "--output=" + tmp));
    assertOneLineError("beamtrain export: --output: no results.jsonl and no trial results under");
  }

  @Test
  void predictWithoutAModel() {
    assertEquals(2, run("predict", "--model=" + tmp, "--input=x.csv", "--predictions=" + tmp.resolve("p")));
    assertOneLineError("beamtrain predict: --model: no saved_model.pb in " + tmp);
  }

  @Test
  void preprocessOfNothingNamesTheInput() {
    assertEquals(2, run("preprocess", "--input=" + tmp.resolve("missing-*.csv"), "--output=" + tmp,
        "--label=species"));
    assertOneLineError("beamtrain preprocess: ");
    assertTrue(err().contains("missing-*.csv"), err());
  }

  @Test
  void preprocessIntoAnExistingFileIsOneLineAndExitTwo() throws Exception {
    Path input = tmp.resolve("in.csv");
    Files.writeString(input, "species,island\nAdelie,Biscoe\nGentoo,Dream\n");
    Path file = tmp.resolve("out.txt");
    Files.writeString(file, "not a directory");
    assertEquals(2, run("preprocess", "--input=" + input, "--output=" + file, "--label=species"));
    assertOneLineError(
        "beamtrain preprocess: --output=" + file + ": is an existing file, not a directory");
    assertEquals("not a directory", Files.readString(file));
  }

  @Test
  void reportOfAnEmptyDirectoryIsAUsageError() {
    assertEquals(2, run("report", "--output=" + tmp));
    assertOneLineError("beamtrain report: ");
  }

  @Test
  void reportWritesThePage() throws Exception {
    Files.writeString(tmp.resolve("results.jsonl"),
        TrialResults.completed("trial-0000", "eval_loss", 0.1).toJson() + "\n"
            + TrialResults.completed("trial-0001", "eval_loss", 0.2).toJson() + "\n");
    assertEquals(0, run("report", "--output=" + tmp), err());
    assertTrue(Files.exists(tmp.resolve("report.html")), out());
    assertTrue(out().contains("report.html"), out());
  }

  @Test
  void reportPrintsATableOrRefusesBadReportFlagsInOneLine() throws Exception {
    Files.writeString(tmp.resolve("results.jsonl"),
        TrialResults.completed("trial-0000", "eval_loss", 0.1).toJson() + "\n"
            + TrialResults.completed("trial-0001", "eval_loss", 0.2).toJson() + "\n");
    assertEquals(0, run("report", "--output=" + tmp, "--format=table"), err());
    assertTrue(out().lines().anyMatch(l -> l.startsWith("1     trial-0000")), out());
    assertFalse(Files.exists(tmp.resolve("report.html")));
    assertEquals(2, run("report", "--output=" + tmp, "--format=pdf"));
    assertOneLineError("beamtrain report: --format=pdf: expected html or table");
    err.reset();
    assertEquals(2, run("report", "--output=" + tmp, "--compare=" + tmp.resolve("missing")));
    assertOneLineError("beamtrain report: --compare=" + tmp.resolve("missing") + ": no results.jsonl");
    err.reset();
    assertEquals(2, run("dashboard", "--output=" + tmp, "--format=table"));
    assertOneLineError("beamtrain dashboard: dashboard serves the live page");
  }

  @Test
  void aFailureWhileRunningExitsOne() throws Exception {
    // A finished trial whose checkpoints have vanished: nothing can be ranked by what exists.
    Files.writeString(tmp.resolve("results.jsonl"),
        TrialResults.completed("trial-0000", "eval_loss", 0.1).toJson() + "\n");
    assertEquals(1, run("export", "--output=" + tmp));
    assertOneLineError("beamtrain export: failed: no trial of 1 can be exported; trial-0000 COMPLETED: no"
        + " committed checkpoint with a value of the metric to export (every trial is in results.jsonl)");
  }

  /** A jar without the runner (the default one and --runner=flink) points at the jar that has it. */
  @ParameterizedTest
  @CsvSource({
      "flink, --runner=flink: that runner is not in this jar; ./beamtrain runs beamtrain-flink.jar for it (built with mvn -Pflink)",
      "SparkRunner, --runner=SparkRunner: that runner is not in this jar; ./beamtrain runs beamtrain-spark.jar for it (built with mvn -Pspark)",
      "Flonk, '--runner=Flonk: unknown runner; this jar has [DataflowRunner, DirectRunner]'",
  })
  void aRunnerMissingFromTheJarNamesTheJarToUse(String runner, String expected) {
    String beam = "Unknown 'runner' specified '" + runner + "', supported pipeline runners [DataflowRunner, DirectRunner]";
    assertEquals(expected, Cli.translate(beam, new String[] {"--runner=" + runner}));
  }
}
