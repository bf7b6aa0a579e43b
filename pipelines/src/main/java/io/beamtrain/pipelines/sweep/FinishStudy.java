package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

/**
 * The results tail every tuning stage ends with, whatever trained the trials: {@link
 * WriteResults} (results.jsonl sorted by trial id, results.csv) beside {@link SelectBest} (among
 * all trials at their best evaluated step), which emits -- or fails for want of a winner -- only
 * once the results are on record, then {@link ExportBest}, then {@link WriteStudyViews}
 * (report.html and the HParams experiment over the finished study). The pipeline's final
 * transforms write every file of the output layout, so a job nobody waits for (a template on
 * Dataflow) leaves what the CLI leaves. Input: one final result per trial. Emits best.json.
 */
public final class FinishStudy extends PTransform<PCollection<TrialResult>, PCollection<String>> {
  private final OutputLayout layout;
  private final String dataDir;
  private final MetricSpec metric;
  private final StudyObjectives objectives;
  private final StorageConfig storage;

  private FinishStudy(
      OutputLayout layout, String dataDir, MetricSpec metric, StudyObjectives objectives, StorageConfig storage) {
    this.layout = layout;
    this.dataDir = dataDir;
    this.metric = metric;
    this.objectives = objectives;
    this.storage = storage;
  }

  /** The tail of a study whose trials trained with {@code settings} (its layout, data, metric and storage). */
  public static FinishStudy of(TrialSettings settings) {
    return new FinishStudy(settings.layout(), settings.dataDir(), settings.metric(), settings.objectives(),
        settings.storage());
  }

  @Override
  public PCollection<String> expand(PCollection<TrialResult> results) {
    PCollection<String> written = results.apply("WriteResults", WriteResults.to(layout, storage, objectives));
    // Ranking runs beside the results writer; the winner (or the all-failed error) and the export
    // come only once the results are on record, so a failed study still leaves results.jsonl.
    return results
        .apply("SelectBest", SelectBest.by(new TrialRanking(metric, objectives)).after(written))
        .apply("ExportBest", ExportBest.to(layout, dataDir, metric, storage))
        .apply("WriteViews", WriteStudyViews.of(layout, metric, storage));
  }
}
