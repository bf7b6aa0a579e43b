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
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.sweep.ExportBest;
import io.beamtrain.pipelines.sweep.ResultsFiles;
import io.beamtrain.pipelines.sweep.SelectBest;
import io.beamtrain.pipelines.sweep.SweepOutcome;
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
 * runs the same {@link SelectBest} and {@link ExportBest} transforms as the sweep.
 */
public final class ExportPipeline {
  private ExportPipeline() {}

  /** Flags of {@code export}. */
  public interface Options extends OutputOptions, StorageOptions {
    @Description("Study spec (YAML or JSON) whose metric and goal pick the winner. Default: the "
        + "study the sweep recorded in <output>/study.json.")
    String getStudy();

    void setStudy(String study);
  }

  public static SweepOutcome run(Options options) {
    OutputLayout layout = new OutputLayout(options.getOutput());
    StorageConfig storage = PipelineStorage.config(options);
    List<TrialResult> results = ResultsFiles.read(layout, storage);
    if (results.isEmpty()) {
      throw new UsageException("--output: no " + OutputLayout.RESULTS_JSONL + " and no trial results under "
          + layout.root() + "; run 'beamtrain sweep' first");
    }
    MetricSpec metric = metric(options, layout, storage);
    // Rank each trial by the checkpoints its directory holds, so the winner's value is the one
    // exported (an older beamtrain's best step may have none; another metric picks another one).
    results = results.stream()
        .map(r -> BestCheckpoint.reconcile(r, layout.trialDir(r.trial()), metric, storage))
        .toList();
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Results", Create.of(results).withCoder(TrialResultCoder.of()))
        .apply("SelectBest", SelectBest.by(metric))
        .apply("ExportBest", ExportBest.to(layout, layout.data(), metric, storage));
    long start = System.nanoTime();
    PipelineRuns.runToCompletion(pipeline);
    SweepOutcome outcome = SweepOutcome.read(
layout, metric, storage, Duration.ofNanos(System.nanoTime() - start));
    SweepViews.writeReport(layout.root(), metric, storage);
    return outcome;
  }

  /** The metric of {@code --study}, else of the recorded study.json, else of the built-in study. */
  static MetricSpec metric(Options options, OutputLayout layout, StorageConfig storage) {
    if (options.getStudy() != null) {
      return Studies.read(options.getStudy(), storage).metric();
    }
    try {
      String recorded = new String(
          Storages.forPath(layout.studyJson(), storage).readBytes(layout.studyJson()), StandardCharsets.UTF_8);
      return StudySpecParser.parse(recorded, layout.studyJson()).metric();
    } catch (StorageException e) {
      if (e.kind() != StorageException.Kind.NOT_FOUND) {
        throw e;
      }
      return Studies.defaultStudy().metric();
    }
  }
}
