package io.beamtrain.trainer.data;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The fast path of {@link Examples#decode(byte[], String, long)}: reads a serialized tf.Example
 * straight from the protobuf wire format, without building the {@code Example} message and its
 * feature map (which costs several times more than the values themselves).
 *
 * <p>It only accepts records it can read unambiguously -- exactly the spec's features and label,
 * each once, of the expected kind, with one value, and a label the full decoder would accept --
 * and returns null for anything else (a missing, extra or repeated key, another kind, unusual
 * list encodings, malformed bytes). The caller then runs the full decoder, which either accepts the record or
 * produces the precise error, so the two paths cannot disagree. Immutable and thread-safe.
 */
final class ExampleWireDecoder {
  // tf.Example: features = 1. Features: map<string, Feature> feature = 1 (entry: key 1, value 2).
  // Feature: oneof bytes_list = 1, float_list = 2, int64_list = 3. Lists: repeated value = 1.
  private static final int FIELD_1_LEN = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int FIELD_2_LEN = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int FIELD_1_FIXED32 = tag(1, WireFormat.WIRETYPE_FIXED32);

  /** UTF-8 names: the features in spec order, then the label. */
  private final byte[][] names;
  private final boolean[] numeric;
  private final Set<String> classes;

  ExampleWireDecoder(List<FeatureSpec> features, TransformSpec.LabelSpec label) {
    int n = features.size();
    names = new byte[n + 1][];
    numeric = new boolean[n + 1];
    for (int i = 0; i < n; i++) {
      names[i] = features.get(i).name().getBytes(StandardCharsets.UTF_8);
      numeric[i] = features.get(i).type() == FeatureType.NUMERIC;
    }
    names[n] = label.name().getBytes(StandardCharsets.UTF_8);
    numeric[n] = !label.task().isClassification();
    classes =
        label.task().isClassification() && label.vocabulary() != null
            ? Set.copyOf(label.vocabulary())
            : null;
  }

  /** The row, or null when the full decoder must look at this record. */
  RawRow tryDecode(byte[] record) {
    int slots = names.length;
    float[] numbers = new float[slots];
    String[] strings = new String[slots];
    boolean[] seen = new boolean[slots];
    int seenCount = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(record);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag != FIELD_1_LEN) {
          return null;
        }
        int featuresLimit = in.pushLimit(in.readRawVarint32());
        while (!in.isAtEnd()) {
          if (in.readTag() != FIELD_1_LEN) {
            return null;
          }
          int entryLimit = in.pushLimit(in.readRawVarint32());
          if (in.readTag() != FIELD_1_LEN) {
            return null; // value before key, or no key: leave it to the full decoder
          }
          int slot = matchKey(record, in);
          if (slot < 0) {
            // A feature the spec does not name: protobuf would still validate its key and value,
            // so leave such records to the full decoder (preprocess never writes them).
            return null;
          }
          if (seen[slot] || in.readTag() != FIELD_2_LEN) {
            return null;
          }
          int valueLimit = in.pushLimit(in.readRawVarint32());
          boolean ok =
              numeric[slot] ? readFloat(in, numbers, slot) : readString(in, strings, slot);
          if (!ok || !in.isAtEnd()) {
            return null;
          }
          in.popLimit(valueLimit);
          if (!in.isAtEnd()) {
            return null; // a second value or unknown fields in the entry
          }
          seen[slot] = true;
          seenCount++;
          in.popLimit(entryLimit);
        }
        in.popLimit(featuresLimit);
      }
    } catch (IOException e) {
      return null;
    }
    if (seenCount != slots) {
      return null;
    }
    int label = slots - 1;
    float[] featureNumbers = Arrays.copyOf(numbers, label);
    String[] featureStrings = Arrays.copyOf(strings, label);
    for (int i = 0; i < label; i++) {
      if (numeric[i]) {
        featureStrings[i] = null;
      } else {
        featureNumbers[i] = Float.NaN;
      }
    }
    if (numeric[label]) {
      return Float.isFinite(numbers[label])
          ? RawRow.regression(featureNumbers, featureStrings, numbers[label])
          : null;
    }
    if (classes != null && !classes.contains(strings[label])) {
      return null;
    }
    return RawRow.classified(featureNumbers, featureStrings, strings[label]);
  }

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  /** Reads a map key and returns its slot, or -1 for a key the spec does not name. */
  private int matchKey(byte[] record, CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    int start = in.getTotalBytesRead();
    int slot = -1;
    for (int i = 0; i < names.length && start + length <= record.length; i++) {
      byte[] name = names[i];
      if (name.length == length
          && Arrays.equals(record, start, start + length, name, 0, length)) {
        slot = i;
        break;
      }
    }
    in.skipRawBytes(length);
    return slot;
  }

  /** Feature{float_list{value: [x]}}, packed or not; false for any other shape. */
  private static boolean readFloat(CodedInputStream in, float[] out, int slot) throws IOException {
    if (in.readTag() != FIELD_2_LEN) {
      return false;
    }
    int listLimit = in.pushLimit(in.readRawVarint32());
    int tag = in.readTag();
    if (tag == FIELD_1_LEN) {
      if (in.readRawVarint32() != Float.BYTES) {
        return false;
      }
    } else if (tag != FIELD_1_FIXED32) {
      return false;
    }
    out[slot] = in.readFloat();
    if (!in.isAtEnd()) {
      return false;
    }
    in.popLimit(listLimit);
    return true;
  }

  /** Feature{bytes_list{value: [s]}}; false for any other shape. */
  private static boolean readString(CodedInputStream in, String[] out, int slot)
      throws IOException {
    if (in.readTag() != FIELD_1_LEN) {
      return false;
    }
    int listLimit = in.pushLimit(in.readRawVarint32());
    if (in.readTag() != FIELD_1_LEN) {
      return false;
    }
    out[slot] = in.readStringRequireUtf8();
    if (!in.isAtEnd()) {
      return false;
    }
    in.popLimit(listLimit);
    return true;
  }
}
