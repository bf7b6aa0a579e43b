package io.beamtrain.trainer.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The summaries of TensorBoard's HParams plugin, as Python's {@code
 * tensorboard.plugins.hparams.summary_v2} ({@code hparams_config_pb}, {@code hparams_pb}) writes
 * them: one {@code Summary.Value} with the plugin's tag, a {@code SummaryMetadata} whose {@code
 * plugin_data} is {@code {plugin_name: "hparams", content: HParamsPluginData}}, and the plugin's
 * empty float tensor (TensorBoard only loads values that carry a tensor), written at step 0.
 *
 * <p>Where they go (logdir = the sweep output): {@link #experiment} once into an events file at
 * the sweep root; {@link #sessionStart} when a trial starts and {@link #sessionEnd} when it ends,
 * both into the trial's own directory, whose scalars (e.g. {@code eval_accuracy}) are the metrics
 * the experiment names. Stateless and thread-safe.
 */
public final class HParamsSummaries {
  /** {@code metadata.PLUGIN_NAME}. */
  public static final String PLUGIN_NAME = "hparams";

  /** {@code metadata.EXPERIMENT_TAG}. */
  public static final String EXPERIMENT_TAG = "_hparams_/experiment";

  /** {@code metadata.SESSION_START_INFO_TAG}. */
  public static final String SESSION_START_INFO_TAG = "_hparams_/session_start_info";

  /** {@code metadata.SESSION_END_INFO_TAG}. */
  public static final String SESSION_END_INFO_TAG = "_hparams_/session_end_info";

  /** {@code metadata.NULL_TENSOR}: a float vector of length 0, the smallest valid tensor. */
  private static final TensorProto NULL_TENSOR =
      TensorProto.newBuilder()
          .setDtype(DataType.DT_FLOAT)
          .setTensorShape(
              TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(0)))
          .build();

  private HParamsSummaries() {}

  /** The experiment: hyperparameters with their domains and the metrics (sweep root). */
  public static Summary experiment(HParamsExperiment experiment) {
    return summary(EXPERIMENT_TAG, HParamsPluginData.experiment(experiment));
  }

  /**
   * A session (trial) starts.
   *
   * @param groupName the session group, the trial id (each trial is its own group)
   * @param hparams the trial's hyperparameter values; numbers, booleans and strings are shown as
   *     such, anything else (a list such as {@code hidden_layers}) as its text, nulls are left out
   * @param modelUri where the trial's checkpoints are, "" for none
   * @param startTime when the trial started
   */
  public static Summary sessionStart(
      String groupName, Map<String, ?> hparams, String modelUri, Instant startTime) {
    Objects.requireNonNull(groupName, "groupName");
    return summary(
        SESSION_START_INFO_TAG,
        HParamsPluginData.sessionStartInfo(hparams, groupName, modelUri, seconds(startTime)));
  }

  /** A session (trial) ended with {@code status} (see {@link HParamsSessionStatus#of}). */
  public static Summary sessionEnd(HParamsSessionStatus status, Instant endTime) {
    return summary(
        SESSION_END_INFO_TAG, HParamsPluginData.sessionEndInfo(status, seconds(endTime)));
  }

  /** The Event carrying {@code summary} at step 0, as {@code write_raw_pb(..., step=0)} does. */
  public static Event event(Summary summary, Instant wallTime) {
    return Event.newBuilder().setWallTime(seconds(wallTime)).setStep(0).setSummary(summary).build();
  }

  private static Summary summary(String tag, com.google.protobuf.ByteString content) {
    SummaryMetadata metadata =
        SummaryMetadata.newBuilder()
            .setPluginData(
                SummaryMetadata.PluginData.newBuilder()
                    .setPluginName(PLUGIN_NAME)
                    .setContent(content))
            .build();
    return Summary.newBuilder()
        .addValue(Summary.Value.newBuilder().setTag(tag).setMetadata(metadata).setTensor(NULL_TENSOR))
        .build();
  }

  static double seconds(Instant time) {
    return time.getEpochSecond() + time.getNano() / 1e9;
  }
}
