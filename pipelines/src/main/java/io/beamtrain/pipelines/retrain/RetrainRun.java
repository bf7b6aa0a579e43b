package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.sweep.WarmStart;
import java.io.Serializable;

/**
 * One retrain run as resolved at launch, carried to the promotion step on the workers.
 *
 * @param id the run id: a fingerprint of the slice's files and the training settings
 * @param registry the model registry
 * @param slice the slice's files as matched at launch
 * @param champion the champion at launch, or null when the registry has none
 * @param warmStart which checkpoint a challenger starts from (the champion's, for its architecture)
 * @param minImprovement the margin a challenger must beat the champion by
 * @param storage how to reach gs://
 */
public record RetrainRun(
    String id,
    ModelRegistry registry,
    SliceFiles slice,
    Champion champion,
    WarmStart warmStart,
    double minImprovement,
    StorageConfig storage)
    implements Serializable {

  public static RetrainRun of(String id, ModelRegistry registry, SliceFiles slice, Champion champion,
      WarmStart warmStart, double minImprovement, StorageConfig storage) {
    return new RetrainRun(id, registry, slice, champion, warmStart, minImprovement, storage);
  }

  /** The run's working directory, laid out like a sweep's output. */
  public OutputLayout layout() {
    return new OutputLayout(registry.runDir(id));
  }

  /** The generation LATEST must still have for this run's promotion to succeed. */
  public long expectedLatestGeneration() {
    return champion == null ? StorageObject.NO_GENERATION : champion.latestGeneration();
  }

  /** The version id a promoted challenger gets: its number and the run id's first 8 digits. */
  public String newVersion() {
    int number = champion == null ? 1 : champion.card().number() + 1;
    return String.format("v%04d-%s", number, id.substring(0, 8));
  }
}
