package io.beamtrain.pipelines.retrain;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamtrain.checkpointing.Goal;
import java.io.Serializable;

/**
 * A model's value of the comparison metric on one eval split: {@code eval_accuracy} (MAXIMIZE)
 * for classification, {@code eval_rmse} (MINIMIZE) for regression, over {@code rows} examples.
 */
public record Score(
    @JsonProperty("name") String name,
    @JsonProperty("goal") Goal goal,
    @JsonProperty("value") double value,
    @JsonProperty("rows") long rows)
    implements Serializable {}
