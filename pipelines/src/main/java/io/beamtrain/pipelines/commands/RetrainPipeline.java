package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.preprocess.BigQueryRead;
import io.beamtrain.pipelines.preprocess.DataOptions;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.retrain.AdoptChampionTransform;
import io.beamtrain.pipelines.retrain.Champion;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.retrain.PromoteChallenger;
import io.beamtrain.pipelines.retrain.RetrainRun;
import io.beamtrain.pipelines.retrain.RunRecord;
import io.beamtrain.pipelines.retrain.RunStatus;
import io.beamtrain.pipelines.retrain.SliceFiles;
import io.beamtrain.pipelines.search.TuningStage;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.WarmStart;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code beamtrain retrain}: the nightly job. Preprocesses a new data slice, trains challengers
 * (warm-started from the champion's checkpoint, or from scratch when the registry is empty),
 * scores champion and best challenger on the slice's eval split, and promotes the challenger only
 * when it wins by {@code --minImprovement} (see {@link ModelRegistry} for the layout and {@link
 * PromoteChallenger} for the decision). One Beam pipeline, so a Flex Template launch that returns
 * after submitting still promotes on the workers.
 *
 * <p>Challengers: with a champion and {@code --reuseChampionParams} (the default), one trial with
 * the champion's hyperparameters; otherwise the study ({@code --study} or the built-in one),
 * tuned by its algorithm with the same {@link TuningStage} and results tail as {@code beamtrain
 * sweep}; each trial warm-started when its architecture matches the champion's ({@link
 * WarmStart}). With a champion, the
 * slice is encoded with the champion's vocabularies and normalisation ({@link
 * AdoptChampionTransform}), so warm-started weights keep their meaning.
 *
 * <p>Idempotent: the run id is a fingerprint of the slice's files (names and sizes), or of a
 * BigQuery table's modification time and row count ({@link SliceFiles#ofTable}), and the
 * training settings; a run whose run.json exists, or whose version is already the champion, is
 * not run again.
 */
public final class RetrainPipeline {
  private RetrainPipeline() {}

  /**
   * Flags of {@code retrain}: the slice ({@code --input}, e.g.
   * gs://my-bucket/slices/2026-11-25/*.csv) and how to preprocess it, with the same flags and
   * defaults as {@code preprocess}; the registry; the challengers' study; the promotion rule.
   */
  public interface Options extends DataOptions, StudyOptions, StorageOptions {
    @Description("The model registry: <models>/LATEST names the champion, <models>/<version>/ "
        + "holds each model, <models>/runs/ each run. Local or gs://.")
    @Validation.Required
    String getModels();

    void setModels(String models);

    @Description("Promote the challenger only when it beats the champion by at least this much "
        + "(eval_accuracy points for classification, eval_rmse units for regression); it must "
        + "beat it in any case. Default 0.")
    @Default.Double(0.0)
    double getMinImprovement();

    void setMinImprovement(double minImprovement);

    @Description("With a champion: train one challenger with the champion's hyperparameters, "
        + "warm-started from its checkpoint (true, the default), or the study's trials (false).")
    @Default.Boolean(true)
    boolean getReuseChampionParams();

    void setReuseChampionParams(boolean reuse);

    @Description("Seed a study's model-based search (TPE, NSGA2, ASHA with search.sampler TPE) with the trials "
        + "of the registry's finished runs (true, the default) unless the study names its own warmStart.")
    @Default.Boolean(true)
    boolean getWarmStartFromRegistry();

    void setWarmStartFromRegistry(boolean warmStart);
  }

  /** A resolved run: either the pipeline to run, or the record of a run that already happened. */
  public record Launch(RetrainRun run, Pipeline pipeline, RunRecord alreadyDone) {
    public boolean isDone() {
      return alreadyDone != null;
    }
  }

  /** Resolves, runs to completion and returns the run's decision. */
  public static RunRecord run(Options options) {
    return run(options, null);
  }

  /** {@link #run(Options)} reaching BigQuery through {@code bigQuery} (Beam's fakes in tests). */
  public static RunRecord run(Options options, BigQueryServices bigQuery) {
    Launch launch = prepare(options, bigQuery);
    if (launch.isDone()) {
      return launch.alreadyDone();
    }
    PipelineRuns.runToCompletion(launch.pipeline());
    return launch.run().registry().runRecord(launch.run().id())
        .orElseThrow(() -> new IllegalStateException("the retrain pipeline finished without writing "
            + launch.run().registry().runRecordPath(launch.run().id())));
  }

  /**
   * Checks the inputs and the registry and builds the pipeline, writing nothing but the run's
   * study.json. A LATEST that names a missing version or a model card that does not parse fails
   * here ({@code BadInputException}, registry untouched), as do bad flags ({@code
   * UsageException}) and a slice with no file or no row.
   */
  public static Launch prepare(Options options) {
    return prepare(options, null);
  }

  /** {@link #prepare(Options)} reaching BigQuery through {@code bigQuery}; null: the real one. */
  public static Launch prepare(Options options, BigQueryServices bigQuery) {
    if (!(options.getMinImprovement() >= 0) || Double.isInfinite(options.getMinImprovement())) {
      throw new UsageException(
          "--minImprovement must be a finite number >= 0, was " + options.getMinImprovement());
    }
    StorageConfig storage = PipelineStorage.config(options);
    ModelRegistry registry = new ModelRegistry(options.getModels(), storage);
    Champion champion = registry.champion().orElse(null);
    BigQueryRead table = sliceTable(options, bigQuery);
    SliceFiles slice = table != null ? SliceFiles.ofTable(table) : SliceFiles.match(options.getInput());
    // The run's own layout is needed to resolve the study; the id does not depend on it.
    SweepPlan plan = SweepPlan.resolve(options, new OutputLayout(registry.root()), storage, false);
    boolean reuse = champion != null && options.getReuseChampionParams();
    // Not the champion: re-running a slice after it was promoted must find the same run.
    // The registry default is keyed only when off, so the ids of runs that use it stay as they were.
    String challengers = "reuseChampionParams=" + options.getReuseChampionParams() + "\n"
        + (options.getWarmStartFromRegistry() ? "" : "warmStartFromRegistry=false\n")
        + StudySpecWriter.toJson(plan.study());
    String id = runId(slice, options, challengers);
    Optional<RunRecord> done = registry.runRecord(id);
    if (done.isEmpty() && champion != null && id.equals(champion.card().run())) {
      done = Optional.of(new RunRecord(id, RunStatus.PROMOTED,
          "already done: this run's challenger " + champion.version() + " is the champion",
          champion.card().parent(), champion.version(), null, champion.card().metric(),
          champion.card().created()));
    }
    if (done.isPresent()) {
      return new Launch(null, null, done.get());
    }
    OutputLayout layout = new OutputLayout(registry.runDir(id));
    Preprocess preprocess = preprocess(options, layout, storage, table);
    plan = SweepPlan.resolve(options, layout, storage, false);
    if (!reuse && options.getWarmStartFromRegistry()) {
      String self = id;
      plan = plan.withDefaultWarmStart(registry.finishedRuns().stream()
          .filter(run -> !run.equals(self)).map(registry::runDir).toList());
    }
    WarmStart warmStart = champion == null
        ? WarmStart.none()
        : WarmStart.from(champion.checkpointPrefix(), champion.card().params());
    TuningStage stage = (reuse
        ? TuningStage.ofTrials(plan, List.of(new Trial(Trial.idOf(0), 0, new TreeMap<>(champion.card().params()),
            TrialSeeds.forTrial(plan.study().seed(), 0))))
        : TuningStage.of(plan))
        .withWarmStart(warmStart);
    stage.prepare(options);
    RetrainRun run = RetrainRun.of(
        id, registry, slice, champion, warmStart, options.getMinImprovement(), storage);

    Pipeline pipeline = Pipeline.create(options);
    PCollection<String> dataWritten = pipeline.apply("Preprocess", preprocess);
    if (champion != null) {
      dataWritten = dataWritten.apply("AdoptChampionTransform",
          AdoptChampionTransform.of(champion.transformJson(), layout.transformJson(), storage));
    }
    pipeline.apply("Tune", stage.tune(dataWritten))
        .apply("FinishStudy", stage.finish())
        .apply("CompareAndPromote", PromoteChallenger.of(run));
    return new Launch(run, pipeline, null);
  }

  /**
   * The BigQuery table {@code --input=bq://...} names, or null for files. A {@code --query} is
   * refused: its text stays the same while the tables it reads change, so nothing at launch tells
   * a rerun from new data (a nightly query would find yesterday's run and train on nothing new).
   */
  private static BigQueryRead sliceTable(Options options, BigQueryServices services) {
    if (options.getQuery() != null) {
      throw new UsageException("--query: retrain cannot identify a query's result (the same text"
          + " reads new rows as its tables change, so a rerun could not be told from new data);"
          + " write the slice to a table and pass --input=bq://project.dataset.table, or files");
    }
    if (!BigQueryRead.isBigQuery(options.getInput())) {
      return null;
    }
    BigQueryRead table = BigQueryRead.of(
        options.getInput(), null, options.getQueryLocation(), options.getRowRestriction())
        .withProjectOf(options);
    return services == null ? table : table.withServices(services);
  }

  private static Preprocess preprocess(
      Options options, OutputLayout layout, StorageConfig storage, BigQueryRead table) {
    try {
      PreprocessSettings settings = PreprocessSettings.fromOptions(options, layout.root(), storage);
      return table == null ? Preprocess.from(settings) : Preprocess.from(settings, table);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /**
   * Slice files, every preprocessing flag that changes the examples, and the training settings,
   * hashed; the first 16 hex digits.
   */
  static String runId(SliceFiles slice, Options options, String challengers) {
    StringBuilder key = new StringBuilder();
    slice.files().forEach(f -> key.append(f).append('\n'));
    key.append("label=").append(options.getLabel()).append('\n')
        .append("ignore=").append(options.getIgnore()).append('\n')
        .append("split=").append(options.getEvalFraction()).append('/').append(options.getSplitSeed()).append('\n')
        .append("schema=").append(options.getSchema()).append('\n')
        .append("shards=").append(options.getNumShards()).append('/').append(options.getTrainShards())
        .append('/').append(options.getEvalShards()).append('\n')
        .append("vocabulary=").append(options.getVocabMinFrequency()).append('/').append(options.getVocabTopK())
        .append('\n')
        .append("minImprovement=").append(options.getMinImprovement()).append('\n')
        .append("challengers=").append(challengers).append('\n');
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
