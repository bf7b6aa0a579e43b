package io.beamtrain.trainer.events;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Encodes TensorBoard's {@code tensorboard.hparams.HParamsPluginData} message, the content of a
 * summary's {@code plugin_data} for plugin "hparams". TF Java does not ship the plugin's protos, so
 * the messages are written field by field with the numbers of {@code
 * tensorboard/plugins/hparams/plugin_data.proto} and {@code api.proto}; the hyperparameter values
 * are {@code google.protobuf.Value}s from protobuf's own well-known types. As proto3 does (and so
 * Python's {@code SerializeToString}), fields holding their default value are left out, except the
 * oneof members, whose presence is the point. Stateless and thread-safe.
 */
final class HParamsPluginData {
  /** The plugin's schema version, {@code metadata.PLUGIN_DATA_VERSION} in TensorBoard. */
  static final int VERSION = 0;

  // HParamsPluginData (plugin_data.proto)
  private static final int PLUGIN_DATA_VERSION = 1;
  private static final int PLUGIN_DATA_EXPERIMENT = 2;
  private static final int PLUGIN_DATA_SESSION_START_INFO = 3;
  private static final int PLUGIN_DATA_SESSION_END_INFO = 4;
  // Experiment (api.proto)
  private static final int EXPERIMENT_DESCRIPTION = 1;
  private static final int EXPERIMENT_TIME_CREATED_SECS = 3;
  private static final int EXPERIMENT_HPARAM_INFOS = 4;
  private static final int EXPERIMENT_METRIC_INFOS = 5;
  private static final int EXPERIMENT_NAME = 6;
  // HParamInfo
  private static final int HPARAM_NAME = 1;
  private static final int HPARAM_TYPE = 4;
  private static final int HPARAM_DOMAIN_DISCRETE = 5;
  private static final int HPARAM_DOMAIN_INTERVAL = 6;
  private static final int HPARAM_DIFFERS = 7;
  // Interval
  private static final int INTERVAL_MIN_VALUE = 1;
  private static final int INTERVAL_MAX_VALUE = 2;
  // MetricInfo and MetricName
  private static final int METRIC_INFO_NAME = 1;
  private static final int METRIC_INFO_DISPLAY_NAME = 3;
  private static final int METRIC_INFO_DATASET_TYPE = 5;
  private static final int METRIC_NAME_GROUP = 1;
  private static final int METRIC_NAME_TAG = 2;
  // SessionStartInfo (plugin_data.proto); its map field is a repeated entry {key = 1, value = 2}
  private static final int START_HPARAMS = 1;
  private static final int START_MODEL_URI = 2;
  private static final int START_GROUP_NAME = 4;
  private static final int START_TIME_SECS = 5;
  private static final int MAP_ENTRY_KEY = 1;
  private static final int MAP_ENTRY_VALUE = 2;
  // SessionEndInfo
  private static final int END_STATUS = 1;
  private static final int END_TIME_SECS = 2;

  private HParamsPluginData() {}

  /** {@code HParamsPluginData{version, experiment}}. */
  static ByteString experiment(HParamsExperiment experiment) {
    Fields body = new Fields();
    body.string(EXPERIMENT_DESCRIPTION, experiment.description());
    body.float64(EXPERIMENT_TIME_CREATED_SECS, experiment.timeCreatedSecs());
    for (HParamsParameter parameter : experiment.parameters()) {
      body.message(EXPERIMENT_HPARAM_INFOS, hparamInfo(parameter));
    }
    for (HParamsMetric metric : experiment.metrics()) {
      body.message(EXPERIMENT_METRIC_INFOS, metricInfo(metric));
    }
    body.string(EXPERIMENT_NAME, experiment.name());
    return pluginData(PLUGIN_DATA_EXPERIMENT, body);
  }

  /** {@code HParamsPluginData{version, session_start_info}}. */
  static ByteString sessionStartInfo(
      Map<String, ?> hparams, String groupName, String modelUri, double startTimeSecs) {
    Fields body = new Fields();
    hparams.forEach(
        (name, value) -> {
          if (value != null) {
            Fields entry = new Fields();
            entry.string(MAP_ENTRY_KEY, name);
            entry.message(MAP_ENTRY_VALUE, value(value).toByteString());
            body.message(START_HPARAMS, entry);
          }
        });
    body.string(START_MODEL_URI, modelUri);
    body.string(START_GROUP_NAME, groupName);
    body.float64(START_TIME_SECS, startTimeSecs);
    return pluginData(PLUGIN_DATA_SESSION_START_INFO, body);
  }

  /** {@code HParamsPluginData{version, session_end_info}}. */
  static ByteString sessionEndInfo(HParamsSessionStatus status, double endTimeSecs) {
    Fields body = new Fields();
    body.enumValue(END_STATUS, status.number());
    body.float64(END_TIME_SECS, endTimeSecs);
    return pluginData(PLUGIN_DATA_SESSION_END_INFO, body);
  }

  /**
   * A hyperparameter value as TensorBoard expects it: numbers as {@code number_value}, booleans as
   * {@code bool_value}, anything else (strings, lists such as {@code hidden_layers}) as the
   * {@code string_value} of its text, since the dashboard supports scalars only.
   */
  static Value value(Object value) {
    if (value instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (value instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    return Value.newBuilder().setStringValue(String.valueOf(value)).build();
  }

  private static ByteString pluginData(int dataField, Fields data) {
    Fields root = new Fields();
    root.int32(PLUGIN_DATA_VERSION, VERSION);
    root.message(dataField, data);
    return root.toByteString();
  }

  private static Fields hparamInfo(HParamsParameter parameter) {
    Fields info = new Fields();
    info.string(HPARAM_NAME, parameter.name());
    info.enumValue(HPARAM_TYPE, parameter.type().number());
    boolean differs;
    if (parameter.isInterval()) {
      Fields interval = new Fields();
      interval.float64(INTERVAL_MIN_VALUE, parameter.min());
      interval.float64(INTERVAL_MAX_VALUE, parameter.max());
      info.message(HPARAM_DOMAIN_INTERVAL, interval);
      differs = parameter.min() < parameter.max();
    } else {
      ListValue.Builder values = ListValue.newBuilder();
      parameter.discreteValues().forEach(v -> values.addValues(value(v)));
      info.message(HPARAM_DOMAIN_DISCRETE, values.build().toByteString());
      differs = parameter.discreteValues().stream().distinct().count() > 1;
    }
    info.bool(HPARAM_DIFFERS, differs);
    return info;
  }

  private static Fields metricInfo(HParamsMetric metric) {
    Fields name = new Fields();
    name.string(METRIC_NAME_GROUP, metric.group());
    name.string(METRIC_NAME_TAG, metric.tag());
    Fields info = new Fields();
    info.message(METRIC_INFO_NAME, name);
    info.string(METRIC_INFO_DISPLAY_NAME, metric.displayName());
    info.enumValue(METRIC_INFO_DATASET_TYPE, metric.datasetType().number());
    return info;
  }

  /** The fields of one message being written, in call order. Not thread-safe. */
  private static final class Fields {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    void string(int field, String value) {
      if (value != null && !value.isEmpty()) {
        write(() -> out.writeString(field, value));
      }
    }

    void float64(int field, double value) {
      // Proto3 leaves out +0.0 only; -0.0 differs in its bits and is written.
      if (Double.doubleToRawLongBits(value) != 0L) {
        write(() -> out.writeDouble(field, value));
      }
    }

    void int32(int field, int value) {
      if (value != 0) {
        write(() -> out.writeInt32(field, value));
      }
    }

    void enumValue(int field, int number) {
      if (number != 0) {
        write(() -> out.writeEnum(field, number));
      }
    }

    void bool(int field, boolean value) {
      if (value) {
        write(() -> out.writeBool(field, true));
      }
    }

    /** A sub-message, written even when empty (a set oneof member must stay visible). */
    void message(int field, Fields message) {
      message(field, message.toByteString());
    }

    void message(int field, ByteString message) {
      write(() -> out.writeBytes(field, message));
    }

    ByteString toByteString() {
      write(out::flush);
      return ByteString.copyFrom(bytes.toByteArray());
    }

    private void write(IoAction action) {
      try {
        action.run();
      } catch (IOException e) {
        // A ByteArrayOutputStream does not fail; this is only the checked signature.
        throw new UncheckedIOException("encoding HParamsPluginData", e);
      }
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }
}
