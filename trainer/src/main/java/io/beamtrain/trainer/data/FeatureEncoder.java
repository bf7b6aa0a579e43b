package io.beamtrain.trainer.data;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns raw rows into the dense float vector the model sees, exactly as {@link TransformSpec}'s
 * Javadoc specifies and {@link GraphTransform} computes in-graph: NUMERIC {@code (x - mean) /
 * stddev} in float32 arithmetic (NaN becomes 0; stddev 0, missing or non-finite counts as 1);
 * CATEGORICAL a one-hot block of the vocabulary plus the OOV slot, which unseen values and {@code
 * ""} light (with {@code oov_buckets = 0}, unseen values leave the block all zero).
 *
 * <p>Labels become a class index (position in the label vocabulary) or the raw regression target.
 *
 * <p>Immutable and thread-safe.
 */
public final class FeatureEncoder {
  private final TransformSpec spec;
  private final int width;
  private final int[] offsets;
  private final int[] widths;
  private final boolean[] numeric;
  private final float[] means;
  private final float[] stddevs;
  private final List<Map<String, Integer>> vocabularies;
  private final int[] oovSlot;
  private final Map<String, Integer> classIndex = new HashMap<>();

  public FeatureEncoder(TransformSpec spec) {
    this.spec = spec;
    List<FeatureSpec> features = spec.features();
    int n = features.size();
    offsets = new int[n];
    widths = new int[n];
    numeric = new boolean[n];
    means = new float[n];
    stddevs = new float[n];
    oovSlot = new int[n];
    Map<String, Integer>[] vocabs = newMapArray(n);
    int at = 0;
    for (int i = 0; i < n; i++) {
      FeatureSpec f = features.get(i);
      offsets[i] = at;
      if (f.type() == FeatureType.NUMERIC) {
        numeric[i] = true;
        NumericScale scale = numericScale(f);
        means[i] = scale.mean();
        stddevs[i] = scale.stddev();
      } else {
        vocabs[i] = vocabularyIndex(f);
        oovSlot[i] = oovBuckets(f) == 0 ? -1 : f.vocabulary().size();
      }
      widths[i] = f.denseWidth();
      at += widths[i];
    }
    width = at;
    vocabularies = List.of(nullsToEmpty(vocabs));
    if (spec.label().task().isClassification()) {
      List<String> classes = spec.label().vocabulary();
      if (classes == null || classes.isEmpty()) {
        throw new BadInputException(
            "transform.json: label '" + spec.label().name() + "' of a classification task has no"
                + " vocabulary");
      }
      for (String c : classes) {
        if (classIndex.putIfAbsent(c, classIndex.size()) != null) {
          throw new BadInputException(
              "transform.json: label vocabulary lists '" + c + "' twice");
        }
      }
    }
  }

  public TransformSpec spec() {
    return spec;
  }

  /** Length of the dense vector, {@link TransformSpec#denseWidth()}. */
  public int width() {
    return width;
  }

  /** Where feature {@code i}'s block starts in the dense vector. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Writes the dense encoding of {@code row} into {@code out[offset .. offset + width)}. */
  public void encode(RawRow row, float[] out, int offset) {
    for (int i = 0; i < numeric.length; i++) {
      int at = offset + offsets[i];
      if (numeric[i]) {
        float x = row.number(i);
        out[at] = Float.isNaN(x) ? 0f : (x - means[i]) / stddevs[i];
      } else {
        Integer slot = vocabularies.get(i).get(row.string(i));
        Arrays.fill(out, at, at + widths[i], 0f);
        if (slot != null) {
          out[at + slot] = 1f;
        } else if (oovSlot[i] >= 0) {
          out[at + oovSlot[i]] = 1f;
        }
      }
    }
  }

  /** The dense encoding of {@code row} as a new array. */
  public float[] encode(RawRow row) {
    float[] out = new float[width];
    encode(row, out, 0);
    return out;
  }

  /** Number of classes (1 for regression). */
  public int numClasses() {
    return spec.label().numClasses();
  }

  /**
   * The class index of a class string; a value absent from the vocabulary is a {@link
   * BadInputException} naming the label and {@code source}.
   */
  public int classIndex(String classString, String source) {
    Integer index = classIndex.get(classString);
    if (index == null) {
      throw new BadInputException(
          source + ": label '" + spec.label().name() + "' has value '" + classString
              + "', which is not in the label vocabulary " + spec.label().vocabulary());
    }
    return index;
  }

  /** The class index of a classification row (see {@link #classIndex(String, String)}). */
  public int classIndex(RawRow row, String source) {
    return classIndex(row.labelClass(), source);
  }

  /** The float32 mean and divisor of a NUMERIC feature, shared with {@link GraphTransform}. */
  record NumericScale(float mean, float stddev) {}

  /**
   * A stddev of 0 (a constant column), absent or not finite would divide by zero; TF Transform's
   * {@code scale_to_z_score} likewise leaves such a column unscaled, so the divisor becomes 1.
   */
  static NumericScale numericScale(FeatureSpec f) {
    if (f.mean() == null || !Double.isFinite(f.mean())) {
      throw new BadInputException(
          "transform.json: numeric feature '" + f.name() + "' has no finite mean");
    }
    Double s = f.stddev();
    float stddev = s == null || !Double.isFinite(s) || s.floatValue() <= 0f ? 1f : s.floatValue();
    return new NumericScale(f.mean().floatValue(), stddev);
  }

  static int oovBuckets(FeatureSpec f) {
    int oov = f.oovBucketsOrDefault();
    if (oov != 0 && oov != 1) {
      throw new BadInputException(
          "transform.json: categorical feature '" + f.name() + "' has oov_buckets " + oov
              + "; only 0 or 1 is supported");
    }
    return oov;
  }

  private static Map<String, Integer> vocabularyIndex(FeatureSpec f) {
    if (f.vocabulary() == null) {
      throw new BadInputException(
          "transform.json: categorical feature '" + f.name() + "' has no vocabulary");
    }
    Map<String, Integer> index = new HashMap<>();
    for (String v : f.vocabulary()) {
      if (index.putIfAbsent(v, index.size()) != null) {
        throw new BadInputException(
            "transform.json: vocabulary of feature '" + f.name() + "' lists '" + v + "' twice");
      }
    }
    return index;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer>[] newMapArray(int n) {
    return new Map[n];
  }

  private static Map<String, Integer>[] nullsToEmpty(Map<String, Integer>[] maps) {
    for (int i = 0; i < maps.length; i++) {
      if (maps[i] == null) {
        maps[i] = Map.of();
      }
    }
    return maps;
  }
}
