package io.beamtrain.pipelines.preprocess;

import java.io.Serializable;

/**
 * Which values of a CATEGORICAL feature enter its vocabulary, like tf.Transform's {@code
 * vocabulary(top_k, frequency_threshold)}: values seen at least {@code minFrequency} times in the
 * training split, the {@code topK} most frequent of them ({@code 0} = no limit). Everything else,
 * and values never seen, share the out-of-vocabulary slot. The label's classes are never cut.
 *
 * @param minFrequency at least 1; default {@value #DEFAULT_MIN_FREQUENCY}
 * @param topK at least 0; default {@value #DEFAULT_TOP_K} (each entry is one input of the model)
 */
public record VocabularyOptions(long minFrequency, int topK) implements Serializable {
  public static final long DEFAULT_MIN_FREQUENCY = 1;
  public static final int DEFAULT_TOP_K = 1000;

  public VocabularyOptions {
    if (minFrequency < 1) {
      throw new IllegalArgumentException(
          "--vocabMinFrequency must be at least 1, was " + minFrequency);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("--vocabTopK must be 0 (no limit) or more, was " + topK);
    }
  }

  public static VocabularyOptions defaults() {
    return new VocabularyOptions(DEFAULT_MIN_FREQUENCY, DEFAULT_TOP_K);
  }

  /** Keeps every value: for the label's classes. */
  public static VocabularyOptions everything() {
    return new VocabularyOptions(1, 0);
  }
}
