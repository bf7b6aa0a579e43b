package io.beamtrain.trainer.events;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StructProto;
import com.google.protobuf.util.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

/**
 * The messages of TensorBoard's {@code tensorboard/plugins/hparams/plugin_data.proto} and the part
 * of {@code api.proto} they use, declared independently of the encoder (names, types and field
 * numbers copied from the TensorBoard source), so tests can parse what the encoder wrote as
 * TensorBoard would and look at it as proto3 JSON.
 */
final class HParamsProtos {
  private static final String PACKAGE = ".tensorboard.hparams.";
  private static final Descriptor PLUGIN_DATA = build().findMessageTypeByName("HParamsPluginData");
  private static final ObjectMapper JSON = new ObjectMapper();

  private HParamsProtos() {}

  /** Parses {@code content} as {@code HParamsPluginData} and returns its proto3 JSON form. */
  static JsonNode parsePluginData(ByteString content) {
    try {
      DynamicMessage message = DynamicMessage.parseFrom(PLUGIN_DATA, content);
      if (!message.getUnknownFields().asMap().isEmpty()) {
        throw new AssertionError("fields TensorBoard does not know: " + message.getUnknownFields());
      }
      return JSON.readTree(JsonFormat.printer().print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("not an HParamsPluginData: " + e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static FileDescriptor build() {
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("tensorboard/plugins/hparams/plugin_data_for_tests.proto")
            .setPackage("tensorboard.hparams")
            .setSyntax("proto3")
            .addDependency("google/protobuf/struct.proto")
            .addEnumType(enumType("DataType", "DATA_TYPE_UNSET", "DATA_TYPE_STRING", "DATA_TYPE_BOOL", "DATA_TYPE_FLOAT64"))
            .addEnumType(enumType("DatasetType", "DATASET_UNKNOWN", "DATASET_TRAINING", "DATASET_VALIDATION"))
            .addEnumType(enumType("Status", "STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("HParamsPluginData")
                    .addField(field("version", 1, Type.TYPE_INT32))
                    .addField(message("experiment", 2, PACKAGE + "Experiment").setOneofIndex(0))
                    .addField(message("session_start_info", 3, PACKAGE + "SessionStartInfo").setOneofIndex(0))
                    .addField(message("session_end_info", 4, PACKAGE + "SessionEndInfo").setOneofIndex(0))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("data")))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Experiment")
                    .addField(field("name", 6, Type.TYPE_STRING))
                    .addField(field("description", 1, Type.TYPE_STRING))
                    .addField(field("user", 2, Type.TYPE_STRING))
                    .addField(field("time_created_secs", 3, Type.TYPE_DOUBLE))
                    .addField(message("hparam_infos", 4, PACKAGE + "HParamInfo").setLabel(Label.LABEL_REPEATED))
                    .addField(message("metric_infos", 5, PACKAGE + "MetricInfo").setLabel(Label.LABEL_REPEATED)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("HParamInfo")
                    .addField(field("name", 1, Type.TYPE_STRING))
                    .addField(field("display_name", 2, Type.TYPE_STRING))
                    .addField(field("description", 3, Type.TYPE_STRING))
                    .addField(enumField("type", 4, PACKAGE + "DataType"))
                    .addField(message("domain_discrete", 5, ".google.protobuf.ListValue").setOneofIndex(0))
                    .addField(message("domain_interval", 6, PACKAGE + "Interval").setOneofIndex(0))
                    .addField(field("differs", 7, Type.TYPE_BOOL))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("domain")))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Interval")
                    .addField(field("min_value", 1, Type.TYPE_DOUBLE))
                    .addField(field("max_value", 2, Type.TYPE_DOUBLE)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("MetricName")
                    .addField(field("group", 1, Type.TYPE_STRING))
                    .addField(field("tag", 2, Type.TYPE_STRING)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("MetricInfo")
                    .addField(message("name", 1, PACKAGE + "MetricName"))
                    .addField(field("display_name", 3, Type.TYPE_STRING))
                    .addField(field("description", 4, Type.TYPE_STRING))
                    .addField(enumField("dataset_type", 5, PACKAGE + "DatasetType")))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("SessionStartInfo")
                    .addNestedType(
                        DescriptorProto.newBuilder()
                            .setName("HparamsEntry")
                            .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                            .addField(field("key", 1, Type.TYPE_STRING))
                            .addField(message("value", 2, ".google.protobuf.Value")))
                    .addField(
                        message("hparams", 1, PACKAGE + "SessionStartInfo.HparamsEntry")
                            .setLabel(Label.LABEL_REPEATED))
                    .addField(field("model_uri", 2, Type.TYPE_STRING))
                    .addField(field("monitor_url", 3, Type.TYPE_STRING))
                    .addField(field("group_name", 4, Type.TYPE_STRING))
                    .addField(field("start_time_secs", 5, Type.TYPE_DOUBLE)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("SessionEndInfo")
                    .addField(enumField("status", 1, PACKAGE + "Status"))
                    .addField(field("end_time_secs", 2, Type.TYPE_DOUBLE)))
            .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[] {StructProto.getDescriptor()});
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(Label.LABEL_OPTIONAL);
  }

  private static FieldDescriptorProto.Builder message(String name, int number, String typeName) {
    return field(name, number, Type.TYPE_MESSAGE).setTypeName(typeName);
  }

  private static FieldDescriptorProto.Builder enumField(String name, int number, String typeName) {
    return field(name, number, Type.TYPE_ENUM).setTypeName(typeName);
  }

  private static EnumDescriptorProto enumType(String name, String... values) {
    EnumDescriptorProto.Builder builder = EnumDescriptorProto.newBuilder().setName(name);
    for (int i = 0; i < values.length; i++) {
      builder.addValue(EnumValueDescriptorProto.newBuilder().setName(values[i]).setNumber(i));
    }
    return builder.build();
  }
}
