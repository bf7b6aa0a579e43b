package io.beamtrain.pipelines.dataflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.dataflow.DataflowJob.Step;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Dataflow would receive, checked offline: {@code sweep}, {@code train}, {@code predict} and
 * {@code retrain} run through the CLI with the DataflowRunner and {@code --templateLocation}, which
 * translates and stages the job (to the GCS test server) and writes the job JSON instead of
 * submitting it. Each job must: exit 0 naming the template; train after a reshuffle (so trials
 * spread over workers instead of fusing into the step that creates them); carry no local path,
 * since gs:// output means every worker reads and writes gs://; stage exactly the launch jar; and
 * give workers the storage endpoint, the credentials choice, the deterministic flag and the
 * trials-per-worker setting (0: the worker's cores, not the launcher's).
 */
class DataflowJobTest {
  private static final String BUCKET = "beamtrain-dataflow";
  private static final String ROOT = "gs://" + BUCKET;
  private static final String STUDY = """
      metric: {name: eval_loss}
      algorithm: GRID
      trainSteps: 20
      evalEverySteps: 10
      checkpointEverySteps: 10
      parameters:
        - {name: learning_rate, type: DISCRETE, values: [0.01, 0.03]}
      fixed: {model: dnn, hidden_units: 8, num_layers: 1, batch_size: 32}
      """;

  @TempDir static Path local;
  private static GcsTestServer server;
  private static Path study;
  private static Path jar;

  @BeforeAll
  static void trainAModelOnGcs() throws IOException {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
    server.putObject(BUCKET, "input/penguins.csv", PenguinsData.csv().getBytes(StandardCharsets.UTF_8));
    server.putObject(BUCKET, "slices/s1/penguins.csv", PenguinsData.csv().getBytes(StandardCharsets.UTF_8));
    // Launch-time files stay local: the launcher reads them, the workers must not need them.
    study = Files.writeString(local.resolve("study.yaml"), STUDY);
    jar = writeJar(local.resolve("beamtrain.jar"));
    StringBuilder log = new StringBuilder();
    // A real model and data on gs:// for predict and sweep to be launched against (DirectRunner).
    assertEquals(0, run(log, "train", "--input=" + ROOT + "/input/penguins.csv", "--output=" + ROOT + "/out",
        "--label=species", "--study=" + study, "--progressEverySeconds=0"), log.toString());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void sweepJob() {
    DataflowJob job = translate("sweep", "--output=" + ROOT + "/out", "--study=" + study, "--deterministic",
        "--progressEverySeconds=0");
    checkTraining(job, true, 0);
    checkCommon(job);
  }

  @Test
  void trainJob() {
    DataflowJob job = translate("train", "--input=" + ROOT + "/input/penguins.csv",
        "--output=" + ROOT + "/train", "--label=species", "--study=" + study, "--trialsPerWorker=2", "--progressEverySeconds=0");
    checkTraining(job, false, 2);
    checkCommon(job);
    assertTrue(job.steps().stream().anyMatch(s -> s.userName().startsWith("Preprocess/")),
        "train preprocesses in the same job");
  }

  @Test
  void retrainJob() {
    DataflowJob job = translate("retrain", "--input=" + ROOT + "/slices/s1/*.csv",
        "--models=" + ROOT + "/models", "--label=species", "--study=" + study,
        "--reuseChampionParams=false", "--deterministic", "--progressEverySeconds=0");
    checkTraining(job, true, 0);
    checkCommon(job);
  }

  @Test
  void predictJob() {
    DataflowJob job = translate("predict", "--model=" + ROOT + "/out/best",
        "--input=" + ROOT + "/input/penguins.csv", "--predictions=" + ROOT + "/predictions/p");
    checkCommon(job);
    String predictFn = DataflowJob.text(job.step("Predict/Score").serializedFnBytes());
    assertTrue(predictFn.contains(ROOT + "/out/best"), "the model path reaches the workers");
    assertTrue(predictFn.contains(server.endpoint()), "the storage endpoint reaches the workers");
    // Template creation ran no job: the prefix is free again.
    assertTrue(server.objectNames(BUCKET, "predictions/").isEmpty(), server.objectNames(BUCKET, "predictions/").toString());
  }

  /** The trials train after a shuffle, with the settings the flags asked for. */
  private static void checkTraining(DataflowJob job, boolean deterministic, int trialsPerWorker) {
    Step train = job.step("/RunTrials/Train");
    List<Step> upstream = job.upstream(train);
    assertTrue(upstream.stream().anyMatch(s -> s.kind().equals("GroupByKey")
            && s.userName().contains("SpreadOverWorkers")),
        "no reshuffle between creating and training the trials: "
            + upstream.stream().map(s -> s.kind() + " " + s.userName()).toList());
    TrialSettings settings = DataflowJob.field(train.doFn(), TrialSettings.class);
    assertEquals(deterministic, settings.deterministic());
    assertEquals(trialsPerWorker, settings.trialsPerWorker(), "0 = sized on the worker from its cores");
    assertEquals(server.endpoint(), settings.storage().gcsEndpoint());
    assertTrue(settings.storage().noCredentials());
    assertTrue(settings.layout().root().startsWith(ROOT + "/"), settings.layout().root());
    assertEquals(deterministic, job.workerOptions().path("deterministic").asBoolean());
  }

  /** No local path anywhere the workers look; the storage options and the launch jar reach them. */
  private static void checkCommon(DataflowJob job) {
    String localDir = local.toString();
    String cwd = Path.of("").toAbsolutePath().toString();
    assertFalse(job.stepsJson().contains(localDir), "a local path in the job's steps");
    for (Step step : job.steps()) {
      String fn = DataflowJob.text(step.serializedFnBytes());
      assertFalse(fn.contains(localDir) || fn.contains(cwd) || fn.contains("file:/"),
          "step " + step.userName() + " carries a local path");
    }
    JsonNode options = job.workerOptions();
    String pipelineUrl = options.path("pipelineUrl").asText();
    assertTrue(pipelineUrl.startsWith(ROOT + "/tmp/staging/pipeline-"), pipelineUrl);
    byte[] proto = server.getObject(BUCKET, pipelineUrl.substring(ROOT.length() + 1)).orElseThrow();
    for (byte[] payload : DataflowJob.protoDoFnPayloads(proto)) {
      String fn = DataflowJob.text(payload);
      assertFalse(fn.contains(localDir) || fn.contains(cwd), "a DoFn of the staged pipeline carries a local path");
    }
    assertEquals(server.endpoint() + "/storage/v1/", options.path("gcsEndpoint").asText());
    assertTrue(options.path("gcsNoCredentials").asBoolean());
    assertEquals("org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
        options.path("credentialFactoryClass").asText());
    List<String> packages = job.stagedPackages();
    assertEquals(1, packages.size(), packages.toString());
    assertTrue(packages.get(0).matches("\\Q" + ROOT + "/tmp/staging/beamtrain-\\E.+\\.jar"), packages.get(0));
    String stagedName = packages.get(0).substring(ROOT.length() + 1);
    assertTrue(server.getObject(BUCKET, stagedName).isPresent(), "the jar was staged");
  }

  private static DataflowJob translate(String command, String... flags) {
    Path template = local.resolve(command + "-template.json");
    String[] args = Stream.concat(Stream.of(command), Stream.concat(Stream.of(flags), Stream.of(
            "--runner=DataflowRunner", "--project=beamtrain-test", "--region=us-central1",
            "--tempLocation=" + ROOT + "/tmp", "--templateLocation=" + template,
            "--filesToStage=" + jar)))
        .toArray(String[]::new);
    StringBuilder log = new StringBuilder();
    assertEquals(0, run(log, args), log.toString());
    assertTrue(log.toString().contains("beamtrain " + command + ": Dataflow template written to " + template),
        log.toString());
    return DataflowJob.read(template);
  }

  private static int run(StringBuilder log, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] withGcs = Stream.concat(Stream.of(args),
            Stream.of("--gcsEndpoint=" + server.endpoint(), "--gcsNoCredentials"))
        .toArray(String[]::new);
    int status = new Cli(print, print, Commands.all()).run(withGcs);
    log.append(out.toString(StandardCharsets.UTF_8));
    return status;
  }

  /** A stand-in for the shaded jar the launcher runs (what filesToStage is when run with -jar). */
  private static Path writeJar(Path path) throws IOException {
    try (OutputStream file = Files.newOutputStream(path); JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("beamtrain.txt"));
      out.write("stand-in".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return path;
  }
}
