package io.beamtrain.pipelines.retrain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.trainer.BadInputException;
import java.io.Serializable;

/**
 * {@code <models>/runs/<run>/run.json}: the decision of one retrain run, written last. Its
 * presence makes the run done: re-running the same slice returns it instead of training again.
 *
 * @param run the run id (a fingerprint of the slice and the training settings)
 * @param status PROMOTED, REJECTED or LOST_RACE
 * @param reason why, in words, with both values and the margin
 * @param parent the champion the challenger was compared with, or null
 * @param version the challenger's version when one was written (PROMOTED, LOST_RACE), else null
 * @param champion the champion's score on the slice's eval split, or null without a champion
 * @param challenger the challenger's score on the same split
 * @param created ISO-8601 instant of the decision
 */
public record RunRecord(
    @JsonProperty("run") String run,
    @JsonProperty("status") RunStatus status,
    @JsonProperty("reason") String reason,
    @JsonProperty("parent") String parent,
    @JsonProperty("version") String version,
    @JsonProperty("champion") Score champion,
    @JsonProperty("challenger") Score challenger,
    @JsonProperty("created") String created)
    implements Serializable {

  public static final String FILE_NAME = "run.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a run record", e);
    }
  }

  public static RunRecord fromJson(String json, String source) {
    try {
      return JSON.readValue(json, RunRecord.class);
    } catch (JsonProcessingException e) {
      throw new BadInputException(source + ": not a valid run record: " + e.getOriginalMessage(), e);
    }
  }

  /** One line for the terminal. */
  public String summary() {
    return "retrain " + run + ": " + status
        + (version != null ? " " + version : "")
        + (parent != null ? " (champion " + parent + ")" : "")
        + "\n" + reason;
  }
}
