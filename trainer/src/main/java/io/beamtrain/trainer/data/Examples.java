package io.beamtrain.trainer.data;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;

/**
 * The tf.Example encoding contract of {@link TransformSpec}, in both directions.
 *
 * <p>Encoding (the preprocess pipeline): every feature becomes one value -- NUMERIC a {@code
 * float_list} (NaN when missing), CATEGORICAL a {@code bytes_list} of UTF-8 ({@code ""} when
 * missing); the label is a {@code bytes_list} with the class string for classification and a
 * {@code float_list} for regression, and must be present. Encoding reads only the names, types
 * and task, so {@link #of(LabelSpec, List)} works before any analyzer has run.
 *
 * <p>Decoding (the trainer) validates each record: a missing feature, a feature of the wrong kind
 * or with other than one value, and a class absent from the label vocabulary are each a {@link
 * BadInputException} naming the feature, the file and the record index. Features the spec does
 * not name are ignored, as TensorFlow's {@code parse_example} ignores them.
 *
 * <p>Immutable and thread-safe.
 */
public final class Examples {
  private final LabelSpec label;
  private final List<FeatureSpec> features;
  private final Map<String, Integer> classIndex;
  private final ExampleWireDecoder wire;

  private Examples(LabelSpec label, List<FeatureSpec> features) {
    this.label = Objects.requireNonNull(label, "label");
    this.features = List.copyOf(features);
    if (label.task().isClassification() && label.vocabulary() != null) {
      classIndex = new HashMap<>();
      for (String c : label.vocabulary()) {
        classIndex.put(c, classIndex.size());
      }
    } else {
      classIndex = null;
    }
    for (FeatureSpec f : this.features) {
      if (f.name().equals(label.name())) {
        throw new IllegalArgumentException("feature '" + f.name() + "' is also the label");
      }
    }
    wire = new ExampleWireDecoder(this.features, label);
  }

  /** The codec for a full transform.json (decoding also checks the label vocabulary). */
  public static Examples of(TransformSpec spec) {
    return new Examples(spec.label(), spec.features());
  }

  /**
   * A codec from names, types and task only (the label vocabulary may be null, and then decoding
   * accepts any class string).
   */
  public static Examples of(LabelSpec label, List<FeatureSpec> features) {
    return new Examples(label, features);
  }

  public List<FeatureSpec> features() {
    return features;
  }

  public LabelSpec label() {
    return label;
  }

  // ---------------------------------------------------------------- encoding

  /**
   * Parses a raw row keyed by column name into a {@link RawRow}. NUMERIC values may be a {@link
   * Number} or a string ({@code null}, blank: missing); CATEGORICAL values are taken as {@code
   * toString()} ({@code null}: missing). Columns the spec does not name are ignored. {@code source}
   * (e.g. {@code "flights.csv line 17"}) prefixes error messages.
   */
  public RawRow parse(Map<String, ?> row, String source) {
    int n = features.size();
    float[] numbers = new float[n];
    String[] strings = new String[n];
    for (int i = 0; i < n; i++) {
      FeatureSpec f = features.get(i);
      Object value = row.get(f.name());
      if (f.type() == FeatureType.NUMERIC) {
        numbers[i] = parseNumber(value, source, "feature '" + f.name() + "'", true);
      } else {
        numbers[i] = Float.NaN;
        strings[i] = value == null ? "" : value.toString();
      }
    }
    Object labelValue = row.get(label.name());
    if (label.task().isClassification()) {
      if (labelValue == null || labelValue.toString().isEmpty()) {
        throw new BadInputException(source + ": label '" + label.name() + "' is missing");
      }
      return RawRow.classified(numbers, strings, labelValue.toString());
    }
    float target = parseNumber(labelValue, source, "label '" + label.name() + "'", false);
    if (!Float.isFinite(target)) {
      throw new BadInputException(
          source + ": label '" + label.name() + "' is " + target + "; it must be a finite number");
    }
    return RawRow.regression(numbers, strings, target);
  }

  /** Encodes a raw row keyed by column name; see {@link #parse} for the accepted values. */
  public Example encode(Map<String, ?> row, String source) {
    return encode(parse(row, source));
  }

  /** Encodes a raw row keyed by column name; errors name the row only by its feature. */
  public Example encode(Map<String, ?> row) {
    return encode(row, "row");
  }

  /** Encodes a row already in feature order. */
  public Example encode(RawRow row) {
    if (row.size() != features.size()) {
      throw new IllegalArgumentException(
          "row has " + row.size() + " values, the spec " + features.size() + " features");
    }
    Features.Builder out = Features.newBuilder();
    for (int i = 0; i < features.size(); i++) {
      FeatureSpec f = features.get(i);
      out.putFeature(
          f.name(),
          f.type() == FeatureType.NUMERIC ? floatFeature(row.number(i)) : bytesFeature(row.string(i)));
    }
    out.putFeature(
        label.name(),
        label.task().isClassification()
            ? bytesFeature(Objects.requireNonNull(row.labelClass(), "class label"))
            : floatFeature(row.labelValue()));
    return Example.newBuilder().setFeatures(out).build();
  }

  // ---------------------------------------------------------------- decoding

  /** Parses and validates one serialized Example, record {@code index} of {@code file}. */
  public RawRow decode(byte[] record, String file, long index) {
    RawRow fast = wire.tryDecode(record);
    if (fast != null) {
      return fast;
    }
    Example example;
    try {
      example = Example.parseFrom(record);
    } catch (InvalidProtocolBufferException e) {
      throw new BadInputException(
          file + ": record " + index + ": not a tf.Example: " + e.getMessage(), e);
    }
    return decode(example, file, index);
  }

  /** Validates one Example, record {@code index} of {@code file}, and returns its raw values. */
  public RawRow decode(Example example, String file, long index) {
    Map<String, Feature> map = example.getFeatures().getFeatureMap();
    int n = features.size();
    float[] numbers = new float[n];
    String[] strings = new String[n];
    for (int i = 0; i < n; i++) {
      FeatureSpec f = features.get(i);
      Feature value = map.get(f.name());
      if (f.type() == FeatureType.NUMERIC) {
        numbers[i] = singleFloat(value, "feature", f.name(), file, index);
      } else {
        numbers[i] = Float.NaN;
        strings[i] = singleBytes(value, "feature", f.name(), file, index);
      }
    }
    Feature labelFeature = map.get(label.name());
    if (label.task().isClassification()) {
      String c = singleBytes(labelFeature, "label", label.name(), file, index);
      if (classIndex != null && !classIndex.containsKey(c)) {
        throw new BadInputException(
            String.format(
                "%s: record %d: label '%s' has value '%s', which is not in the label vocabulary %s",
                file, index, label.name(), c, label.vocabulary()));
      }
      return RawRow.classified(numbers, strings, c);
    }
    float target = singleFloat(labelFeature, "label", label.name(), file, index);
    if (!Float.isFinite(target)) {
      throw new BadInputException(
          String.format(
              "%s: record %d: label '%s' is %s; a regression target must be a finite number",
              file, index, label.name(), target));
    }
    return RawRow.regression(numbers, strings, target);
  }

  private static float singleFloat(
      Feature value, String what, String name, String file, long index) {
    checkKind(value, Feature.KindCase.FLOAT_LIST, what, name, file, index);
    FloatList list = value.getFloatList();
    checkCount(list.getValueCount(), what, name, file, index);
    return list.getValue(0);
  }

  private static String singleBytes(
      Feature value, String what, String name, String file, long index) {
    checkKind(value, Feature.KindCase.BYTES_LIST, what, name, file, index);
    BytesList list = value.getBytesList();
    checkCount(list.getValueCount(), what, name, file, index);
    return list.getValue(0).toStringUtf8();
  }

  private static void checkKind(
      Feature value, Feature.KindCase expected, String what, String name, String file, long index) {
    if (value == null) {
      throw new BadInputException(
          String.format("%s: record %d: %s '%s' is missing", file, index, what, name));
    }
    if (value.getKindCase() != expected) {
      throw new BadInputException(
          String.format(
              "%s: record %d: %s '%s' is a %s, expected a %s",
              file, index, what, name, kindName(value.getKindCase()), kindName(expected)));
    }
  }

  private static void checkCount(int count, String what, String name, String file, long index) {
    if (count != 1) {
      throw new BadInputException(
          String.format(
              "%s: record %d: %s '%s' has %d values, expected exactly 1",
              file, index, what, name, count));
    }
  }

  private static String kindName(Feature.KindCase kind) {
    return switch (kind) {
      case FLOAT_LIST -> "float_list";
      case BYTES_LIST -> "bytes_list";
      case INT64_LIST -> "int64_list";
      case KIND_NOT_SET -> "feature with no value list";
    };
  }

  private static float parseNumber(Object value, String source, String what, boolean allowMissing) {
    if (value instanceof Number number) {
      return number.floatValue();
    }
    String text = value == null ? "" : value.toString().trim();
    if (text.isEmpty()) {
      if (allowMissing) {
        return Float.NaN;
      }
      throw new BadInputException(source + ": " + what + " is missing");
    }
    try {
      return Float.parseFloat(text);
    } catch (NumberFormatException e) {
      throw new BadInputException(
          source + ": " + what + ": cannot parse '" + text + "' as a number", e);
    }
  }

  private static Feature floatFeature(float value) {
    return Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(value)).build();
  }

  private static Feature bytesFeature(String value) {
    return Feature.newBuilder()
        .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8(value)))
        .build();
  }
}
