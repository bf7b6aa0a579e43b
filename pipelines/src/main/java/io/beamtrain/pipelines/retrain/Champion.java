package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.Serializable;

/**
 * The current champion as read at launch: its card, its directory, and the generation of LATEST
 * that named it (the expected generation of the compare-and-set that may replace it).
 */
public record Champion(ModelCard card, String directory, long latestGeneration)
    implements Serializable {

  public String version() {
    return card.version();
  }

  /** The checkpoint challengers warm-start from ({@code <dir>/model.ckpt-<step>}). */
  public String checkpointPrefix() {
    return StoragePaths.join(directory, card.checkpoint());
  }

  /** The transform.json the champion was trained with (copied into its version directory). */
  public String transformJson() {
    return StoragePaths.join(directory, ModelRegistry.TRANSFORM_JSON);
  }

  public String savedModel() {
    return StoragePaths.join(directory, ModelRegistry.SAVED_MODEL);
  }
}
