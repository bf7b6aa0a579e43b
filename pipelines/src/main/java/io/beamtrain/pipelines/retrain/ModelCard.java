package io.beamtrain.pipelines.retrain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.trainer.BadInputException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * {@code <models>/<version>/model_card.json}: what a registered model is and where it came from.
 *
 * @param version the version id, the directory name ({@code v0002-1a2b3c4d})
 * @param number 1 for the first version, the parent's number + 1 after that
 * @param parent the champion this model was compared against (and warm-started from), or null
 * @param run the retrain run that produced it ({@code <models>/runs/<run>/})
 * @param created ISO-8601 instant of the promotion decision
 * @param input the slice as given ({@code --input})
 * @param files the slice's files with their sizes, as fingerprinted
 * @param dataDir the preprocessed slice (train and eval shards, transform.json)
 * @param params the hyperparameters of the trial that was exported
 * @param seed that trial's seed
 * @param trial that trial's id in the run
 * @param checkpoint the checkpoint inside the version directory ({@code model.ckpt-<step>})
 * @param warmStartedFrom the checkpoint the trial started from, or null for a fresh start
 * @param metric the comparison metric on the slice's eval split (also the champion's value)
 * @param trainMetrics the trial's own evaluation at the exported step
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelCard(
    @JsonProperty("version") String version,
    @JsonProperty("number") int number,
    @JsonProperty("parent") String parent,
    @JsonProperty("run") String run,
    @JsonProperty("created") String created,
    @JsonProperty("input") String input,
    @JsonProperty("files") List<String> files,
    @JsonProperty("data_dir") String dataDir,
    @JsonProperty("params") Map<String, Object> params,
    @JsonProperty("seed") long seed,
    @JsonProperty("trial") String trial,
    @JsonProperty("checkpoint") String checkpoint,
    @JsonProperty("warm_started_from") String warmStartedFrom,
    @JsonProperty("metric") Score metric,
    @JsonProperty("train_metrics") Map<String, Double> trainMetrics)
    implements Serializable {

  public static final String FILE_NAME = "model_card.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a model card", e);
    }
  }

  /**
   * Parses and checks a card; anything unusable is a {@link BadInputException} naming {@code
   * source} and the field.
   */
  public static ModelCard fromJson(String json, String source) {
    ModelCard card;
    try {
      card = JSON.readValue(json, ModelCard.class);
    } catch (JsonProcessingException e) {
      throw new BadInputException(source + ": not a valid model card: " + e.getOriginalMessage(), e);
    }
    if (card == null) {
      throw new BadInputException(source + ": not a valid model card: empty");
    }
    require(card.version, "version", source);
    require(card.checkpoint, "checkpoint", source);
    require(card.params, "params", source);
    if (card.number < 1) {
      throw new BadInputException(source + ": field 'number' must be at least 1, was " + card.number);
    }
    return card;
  }

  private static void require(Object value, String field, String source) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      throw new BadInputException(source + ": not a valid model card: field '" + field + "' is missing");
    }
  }
}
