package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.preprocess.SplitExamples;
import io.beamtrain.pipelines.preprocess.TypedFiles;
import io.beamtrain.pipelines.retrain.Champion;
import io.beamtrain.pipelines.retrain.ModelCard;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.retrain.PromoteChallenger;
import io.beamtrain.pipelines.retrain.RetrainRun;
import io.beamtrain.pipelines.retrain.RetrainSlices;
import io.beamtrain.pipelines.retrain.RunRecord;
import io.beamtrain.pipelines.retrain.RunStatus;
import io.beamtrain.pipelines.retrain.SliceFiles;
import io.beamtrain.pipelines.sweep.WarmStart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code beamtrain retrain} end to end on local paths (DirectRunner, through the CLI): a first
 * version, an idempotent re-run, a warm-started promotion, a rejected challenger trained on
 * random labels, a promotion that loses the race for LATEST, and bad registries and slices that leave the registry as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class RetrainPipelineTest {
  /** A deliberately weak first model (few steps, small learning rate) that retraining can beat. */
  public static final String STUDY = """
      metric: {name: eval_accuracy, goal: MAXIMIZE}
      algorithm: GRID
      seed: 5
      trainSteps: 40
      evalEverySteps: 20
      checkpointEverySteps: 20
      parameters:
        - {name: learning_rate, type: DISCRETE, values: [0.003]}
      fixed: {model: dnn, hidden_units: 16, num_layers: 1, batch_size: 32}
      """;

  @TempDir static Path tmp;
  static Path models;
  static String study;
  static RetrainSlices slices;

  @BeforeAll
  static void writeSlices() throws IOException {
    models = tmp.resolve("models");
    study = Files.writeString(tmp.resolve("study.yaml"), STUDY).toString();
    slices = RetrainSlices.penguins(3);
    write("slices/a/part.csv", slices.csv(0, 172));
    write("slices/b/part.csv", slices.csv(172, slices.size()));
    write("slices/noise/part.csv", slices.csvWithRandomTrainLabels(9,
        SplitExamples.DEFAULT_EVAL_FRACTION, SplitExamples.DEFAULT_SEED));
    write("slices/empty/part.csv", slices.headerOnly());
  }

  static Path write(String relative, String text) throws IOException {
    Path path = tmp.resolve(relative);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, text);
  }

  record Run(int status, String log) {}

  static Run retrain(Path registry, String slice, String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] args = Stream.concat(
            Stream.of("retrain", "--input=" + tmp.resolve("slices").resolve(slice) + "/*.csv",
                "--models=" + registry, "--label=species", "--study=" + study),
            Stream.of(more))
        .toArray(String[]::new);
    int status = new Cli(print, print, Commands.all()).run(args);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  static String latest(Path registry) throws IOException {
    return Files.readString(registry.resolve(ModelRegistry.LATEST)).trim();
  }

  static ModelCard card(Path registry, String version) throws IOException {
    Path path = registry.resolve(version).resolve(ModelCard.FILE_NAME);
    return ModelCard.fromJson(Files.readString(path), path.toString());
  }

  static RunRecord onlyRecordOf(Path registry, String summaryLine) throws IOException {
    String run = summaryLine.substring("retrain ".length(), summaryLine.indexOf(':'));
    Path path = registry.resolve(ModelRegistry.RUNS).resolve(run).resolve(RunRecord.FILE_NAME);
    return RunRecord.fromJson(Files.readString(path), path.toString());
  }

  static RunRecord recordOf(Path registry, Run run) throws IOException {
    String line = run.log().lines().filter(l -> l.startsWith("retrain ")).findFirst().orElseThrow(
        () -> new AssertionError("no summary line in:\n" + run.log()));
    return onlyRecordOf(registry, line);
  }

  /** Every file of the registry outside runs/, with its bytes: what must not change. */
  static Map<String, byte[]> registryFiles(Path registry) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    if (!Files.exists(registry)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(registry)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String relative = registry.relativize(p).toString();
        // LocalStorage's compare-and-set lock file is not registry content.
        if (!relative.startsWith(ModelRegistry.RUNS + "/") && !relative.endsWith(".beamtrain-lock")) {
          files.put(relative, Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
  }

  static String firstVersion;
  static String secondVersion;

  @Test
  @Order(1)
  void firstRunWithoutChampionCreatesVersionOne() throws IOException {
    Run run = retrain(models, "a");
    assertEquals(0, run.status(), run.log());

    RunRecord record = recordOf(models, run);
    assertEquals(RunStatus.PROMOTED, record.status(), record.reason());
    assertNull(record.parent());
    assertNull(record.champion());
    firstVersion = latest(models);
    assertEquals(record.version(), firstVersion);
    assertTrue(firstVersion.startsWith("v0001-"), firstVersion);
    ModelCard card = card(models, firstVersion);
    assertEquals(1, card.number());
    assertNull(card.parent());
    assertNull(card.warmStartedFrom());
    assertEquals(record.run(), card.run());
    assertTrue(card.files().get(0).contains("slices/a/part.csv"), card.files().toString());
    assertEquals(0.003, ((Number) card.params().get("learning_rate")).doubleValue(), 1e-12);
    Path dir = models.resolve(firstVersion);
    assertTrue(Files.exists(dir.resolve("saved_model/saved_model.pb")));
    assertTrue(Files.exists(dir.resolve("model.meta")));
    assertTrue(Files.exists(dir.resolve(card.checkpoint() + ".index")));
    assertTrue(Files.exists(dir.resolve("checkpoint")));
    assertTrue(Files.exists(dir.resolve(ModelRegistry.TRANSFORM_JSON)));
  }

  @Test
  @Order(2)
  void rerunningTheSameSliceCreatesNoSecondVersion() throws IOException {
    Map<String, byte[]> before = registryFiles(models);
    Run run = retrain(models, "a");
    assertEquals(0, run.status(), run.log());
    assertTrue(run.log().contains(firstVersion), run.log());
    assertSameFiles(before, registryFiles(models));
  }

  @Test
  @Order(3)
  void newSliceWarmStartsFromTheChampionAndIsPromotedWhenBetter() throws IOException {
    Run run = retrain(models, "b", "--trainSteps=300");
    assertEquals(0, run.status(), run.log());

    RunRecord record = recordOf(models, run);
    assertEquals(RunStatus.PROMOTED, record.status(), record.reason());
    assertEquals(firstVersion, record.parent());
    assertTrue(record.challenger().value() > record.champion().value(), record.reason());
    assertEquals(record.champion().rows(), record.challenger().rows());
    secondVersion = latest(models);
    assertNotEquals(firstVersion, secondVersion);
    assertTrue(secondVersion.startsWith("v0002-"), secondVersion);
    ModelCard card = card(models, secondVersion);
    assertEquals(2, card.number());
    assertEquals(firstVersion, card.parent());
    assertEquals(models.resolve(firstVersion).resolve(card(models, firstVersion).checkpoint()).toString(),
        card.warmStartedFrom());
    assertEquals(card(models, firstVersion).params(), card.params());
  }

  @Test
  @Order(4)
  void challengerTrainedOnRandomLabelsIsNotPromoted() throws IOException {
    Map<String, byte[]> before = registryFiles(models);
    Run run = retrain(models, "noise", "--trainSteps=300");
    assertEquals(0, run.status(), run.log());

    RunRecord record = recordOf(models, run);
    assertEquals(RunStatus.REJECTED, record.status(), record.reason());
    assertEquals(secondVersion, record.parent());
    assertNull(record.version());
    // The export keeps the trial's best checkpointed evaluation on the (true-label) eval split,
    // so the noise-trained challenger is at best the warm start itself: never better.
    assertTrue(record.challenger().value() <= record.champion().value(), record.reason());
    assertTrue(record.reason().contains("does not meet --minImprovement 0.0000"), record.reason());
    assertEquals(secondVersion, latest(models));
    assertSameFiles(before, registryFiles(models));
  }

  @Test
  @Order(6)
  void promotionLosesTheRaceWhenLatestMovedSinceTheRunStarted() throws Exception {
    // A copy of the registry in which run b's challenger is decided again against version 1, as
    // if LATEST had been read before another retrain promoted: the compare-and-set must refuse.
    Path race = tmp.resolve("race");
    try (Stream<Path> walk = Files.walk(models)) {
      for (Path p : walk.toList()) {
        Path target = race.resolve(models.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    StorageConfig config = StorageConfig.defaults();
    ModelRegistry registry = new ModelRegistry(race.toString(), config);
    Champion current = registry.champion().orElseThrow();
    assertEquals(secondVersion, current.version());
    ModelCard first = card(race, firstVersion);
    Champion stale = new Champion(first, registry.versionDir(firstVersion), current.latestGeneration() + 1);
    String runB = card(race, secondVersion).run();
    RetrainRun run = RetrainRun.of(runB, registry, new SliceFiles("b", List.of("b 1")), stale,
        WarmStart.none(), 0.0, config);
    JsonNode best = new ObjectMapper().readTree(
        Files.readString(race.resolve("runs").resolve(runB).resolve("best").resolve("best.json")));

    RunRecord record = PromoteChallenger.decide(run, best);

    assertEquals(RunStatus.LOST_RACE, record.status(), record.reason());
    assertTrue(record.reason().contains("changed since this run read it"), record.reason());
    assertEquals(secondVersion, latest(race));
    assertEquals(current.latestGeneration(),
        registry.champion().orElseThrow().latestGeneration(), "LATEST was not rewritten");
  }

  @Test
  @Order(5)
  void sliceWithNoRowsFailsClearlyAndLeavesTheRegistryAlone() throws IOException {
    Map<String, byte[]> before = registryFiles(models);
    Run run = retrain(models, "empty");
    assertEquals(2, run.status(), run.log());
    assertTrue(run.log().contains("slices/empty/*.csv has no usable row (0 rows read)"), run.log());
    assertSameFiles(before, registryFiles(models));
  }

  @Test
  void latestNamingAMissingVersionFailsClearly() throws IOException {
    Path registry = tmp.resolve("dangling");
    Files.createDirectories(registry);
    Files.writeString(registry.resolve(ModelRegistry.LATEST), "v0007-gone\n");
    Map<String, byte[]> before = registryFiles(registry);

    Run run = retrain(registry, "a");
    assertEquals(2, run.status(), run.log());
    assertTrue(run.log().contains("names version v0007-gone"), run.log());
    assertTrue(run.log().contains("does not exist"), run.log());
    assertSameFiles(before, registryFiles(registry));
    assertTrue(Files.notExists(registry.resolve(ModelRegistry.RUNS)));
  }

  @Test
  void modelCardThatDoesNotParseFailsClearly() throws IOException {
    Path registry = tmp.resolve("corrupt");
    Files.createDirectories(registry.resolve("v0001-abc"));
    Files.writeString(registry.resolve(ModelRegistry.LATEST), "v0001-abc\n");
    Files.writeString(registry.resolve("v0001-abc").resolve(ModelCard.FILE_NAME), "{\"version\": \"v0001-abc\", ");
    Map<String, byte[]> before = registryFiles(registry);

    Run run = retrain(registry, "a");
    assertEquals(2, run.status(), run.log());
    assertTrue(run.log().contains("v0001-abc/model_card.json: not a valid model card"), run.log());
    assertSameFiles(before, registryFiles(registry));
    assertTrue(Files.notExists(registry.resolve(ModelRegistry.RUNS)));
  }

  /** Damage done to the champion's SavedModel, and the file the error must name. */
  enum SavedModelDamage {
    GARBAGE_MODEL_FILE("saved_model.pb"),
    TRUNCATED_VARIABLES("variables/variables.data-00000-of-00001");

    final String file;

    SavedModelDamage(String file) {
      this.file = file;
    }
  }

  @ParameterizedTest
  @EnumSource(SavedModelDamage.class)
  @Order(7)
  void aChampionWhoseSavedModelDoesNotLoadFailsClearlyAtLaunch(SavedModelDamage damage) throws IOException {
    Path registry = tmp.resolve("damaged-" + damage.name());
    for (Path file : registryFiles(models).keySet().stream().map(models::resolve).toList()) {
      Path copy = registry.resolve(models.relativize(file).toString());
      Files.createDirectories(copy.getParent());
      Files.copy(file, copy);
    }
    Path savedModel = registry.resolve(latest(registry)).resolve(ModelRegistry.SAVED_MODEL);
    Path damaged = savedModel.resolve(damage.file);
    byte[] bytes = Files.readAllBytes(damaged);
    Files.write(damaged, damage == SavedModelDamage.GARBAGE_MODEL_FILE
        ? "garbage, not a SavedModel".getBytes(StandardCharsets.UTF_8)
        : Arrays.copyOf(bytes, bytes.length / 2));
    Map<String, byte[]> before = registryFiles(registry);

    Run run = retrain(registry, "b");

    assertEquals(2, run.status(), run.log());
    List<String> errors = run.log().lines().filter(l -> l.startsWith("beamtrain retrain: ")).toList();
    assertEquals(1, errors.size(), run.log());
    assertTrue(errors.get(0).contains(savedModel + " does not load: ") && errors.get(0).contains(damaged.toString()),
        run.log());
    assertTrue(run.log().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace:\n" + run.log());
    assertSameFiles(before, registryFiles(registry));
    assertTrue(Files.notExists(registry.resolve(ModelRegistry.RUNS)), "nothing trained");
  }

  @Test
  void aParquetSliceIsRetrainedOnAndAQuerySliceIsRefusedNamingTheFlag() throws IOException {
    Path registry = tmp.resolve("models-parquet");
    Path slice = tmp.resolve("slices/parquet/part.parquet");
    TypedFiles.writeParquet(slice, TypedFiles.PENGUINS, TypedFiles.fromCsv(
        slices.csv(0, slices.size()).lines().toList(), TypedFiles.PENGUINS));
    Run run = runCli("retrain", "--input=" + slice.getParent() + "/*.parquet",
        "--models=" + registry, "--label=species", "--study=" + study);
    assertEquals(0, run.status(), run.log());
    String version = latest(registry);
    assertTrue(card(registry, version).files().get(0).contains("slices/parquet/part.parquet "),
        card(registry, version).files().toString());

    // A table slice is retrained on (RetrainBigQueryTest); a query's result has no identity.
    Run query = runCli("retrain", "--query=SELECT * FROM ds.slice", "--models=" + registry,
        "--label=species", "--study=" + study);
    assertEquals(2, query.status(), query.log());
    assertTrue(query.log().contains("--query: retrain cannot identify a query's result"), query.log());
    assertTrue(query.log().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace:\n" + query.log());
  }

  private static Run runCli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }
}
