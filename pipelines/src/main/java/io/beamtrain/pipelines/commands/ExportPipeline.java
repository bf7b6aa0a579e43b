package io.beamtrain.pipelines.commands;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.OutputOptions;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.sweep.ExportBest;
import io.beamtrain.pipelines.sweep.ResultsFiles;
import io.beamtrain.pipelines.sweep.SelectBest;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.BestCheckpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Create;

/**
 * {@code beamtrain export}: selects the best trial of an existing output directory again and
 * exports it to {@code <output>/best}, e.g. after a sweep was interrupted before its export, or to
 * pick by another metric. Reads results.jsonl (or, without it, every trial's result.json), takes
 * each trial's best step from its committed checkpoints ({@link BestCheckpoint#reconcile}), then
 * runs the same {@link SelectBest} and {@link ExportBest} transforms as the sweep. {@code
 * --trial=<id>} exports that trial instead (another member of a multi-objective study's Pareto
 * front, say); an infeasible one is refused, as selection never picks it.
 */
public final class ExportPipeline {
  private ExportPipeline() {}

  /** Flags of {@code export}. */
  public interface Options extends OutputOptions, StorageOptions {
    @Description("Study spec (YAML or JSON) whose metric and goal pick the winner. Default: the "
        + "study the sweep recorded in <output>/study.json.")
    String getStudy();

    void setStudy(String study);

    @Description("Export this trial (e.g. trial-0007, another member of pareto.json's front) to "
        + "<output>/best instead of the study's selection; it must have finished and meet the "
        + "study's constraints.")
    String getTrial();

    void setTrial(String trial);
  }

  public static SweepOutcome run(Options options) {
    OutputLayout layout = new OutputLayout(options.getOutput());
    StorageConfig storage = PipelineStorage.config(options);
    List<TrialResult> results = ResultsFiles.read(layout, storage);
    if (results.isEmpty()) {
      throw new UsageException("--output: no " + OutputLayout.RESULTS_JSONL + " and no trial results under "
          + layout.root() + "; run 'beamtrain sweep' first");
    }
    StudyObjectives objectives = objectives(options, layout, storage);
    MetricSpec metric = objectives.trainerMetric();
    // Rank each trial by the checkpoints its directory holds, so the winner's value is the one
    // exported (an older beamtrain's best step may have none; another metric picks another one).
    results = results.stream()
        .map(r -> BestCheckpoint.reconcile(r, layout.trialDir(r.trial()), metric, storage))
        .toList();
    TrialRanking ranking = new TrialRanking(metric, objectives);
    if (options.getTrial() != null) {
      results = List.of(chosen(options.getTrial(), results, ranking));
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Results", Create.of(results).withCoder(TrialResultCoder.of()))
        .apply("SelectBest", SelectBest.by(ranking))
        .apply("ExportBest", ExportBest.to(layout, layout.data(), metric, storage));
    long start = System.nanoTime();
    PipelineRuns.runToCompletion(pipeline);
    SweepOutcome outcome = SweepOutcome.read(
        layout, metric, storage, Duration.ofNanos(System.nanoTime() - start));
    SweepViews.writeReport(layout.root(), metric, storage);
    return outcome;
  }

  /** The result of {@code --trial}, which must exist, have finished and meet the constraints. */
  static TrialResult chosen(String trial, List<TrialResult> results, TrialRanking ranking) {
    TrialResult result = results.stream().filter(r -> r.trial().equals(trial)).findFirst()
        .orElseThrow(() -> new UsageException("--trial: no trial '" + trial + "' in the results; there are "
            + results.stream().map(TrialResult::trial).sorted().toList()));
    List<String> violations = ranking.objectives().violations(result);
    if (!violations.isEmpty()) {
      throw new UsageException("--trial: " + trial + " is infeasible (breaks " + String.join(", ", violations)
          + ") and is never exported");
    }
    if (!ranking.isEligible(result)) {
      throw new UsageException("--trial: " + trial + " is " + result.status()
          + (result.bestStep() == null ? " without a committed checkpoint to export" : " without a value of "
              + ranking.objectives().select()));
    }
    return result;
  }

  /** The objectives of {@code --study}, else of the recorded study.json, else of the built-in study. */
  static StudyObjectives objectives(Options options, OutputLayout layout, StorageConfig storage) {
    if (options.getStudy() != null) {
      return Studies.read(options.getStudy(), storage).objectives();
    }
    try {
      String recorded = new String(
          Storages.forPath(layout.studyJson(), storage).readBytes(layout.studyJson()), StandardCharsets.UTF_8);
      return StudySpecParser.parse(recorded, layout.studyJson()).objectives();
    } catch (StorageException e) {
      if (e.kind() != StorageException.Kind.NOT_FOUND) {
        throw e;
      }
      return Studies.defaultStudy().objectives();
    }
  }
}
