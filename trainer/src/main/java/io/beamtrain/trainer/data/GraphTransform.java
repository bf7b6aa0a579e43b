package io.beamtrain.trainer.data;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The transform of {@link FeatureEncoder}, built as TensorFlow ops so the exported serving graph
 * takes raw values: one placeholder per raw feature column, shape {@code [-1]}, {@code TFloat32}
 * for NUMERIC (NaN = missing) and {@code TString} for CATEGORICAL ({@code ""} = missing), feeding
 * a dense {@code [-1, width]} {@code TFloat32}.
 *
 * <p>NUMERIC: {@code (x - mean) / stddev} then NaN to 0, in float32 like the encoder, so both give
 * the same bits. CATEGORICAL: the input is compared with a constant vocabulary vector ({@code
 * Equal} broadcasting {@code [-1, 1]} against {@code [V]}) and cast to float; the OOV slot is
 * {@code 1 - sum} of that block. No lookup tables, hence nothing to initialise in the serving
 * graph -- TF Transform's {@code apply_vocabulary} needs a table initializer, this does not.
 *
 * <p>Placeholders are named exactly as their column when that is a valid, unused TF op name;
 * otherwise they get a unique sanitised name. Callers key the serving signature by {@link
 * Applied#inputs()}' column names either way. Build it before the model's own ops so column names
 * are still free. The ops other than placeholders live under the {@value #SCOPE} name scope.
 */
public final class GraphTransform {
  /** Name scope of the transform's internal ops. */
  public static final String SCOPE = "transform";

  // TensorFlow's op-name rule without "/" (a scope separator, which TF Java's withName refuses).
  private static final Pattern VALID_OP_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private GraphTransform() {}

  /**
   * The placeholders, keyed by column name in feature order, and the dense output.
   *
   * @param inputs column name -> placeholder ({@code TFloat32} or {@code TString}, shape [-1])
   * @param dense the model input, {@code [-1, spec.denseWidth()]}
   */
  public record Applied(Map<String, Placeholder<? extends TType>> inputs, Operand<TFloat32> dense) {
    public Applied {
      inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }
  }

  /** Adds the placeholders and the transform to {@code tf}'s graph. */
  public static Applied apply(Ops tf, TransformSpec spec) {
    if (spec.features().isEmpty()) {
      throw new BadInputException("transform.json lists no features: nothing to build a model on");
    }
    new FeatureEncoder(spec); // validates the spec the same way the trainer does
    Ops scoped = tf.withSubScope(SCOPE);
    Map<String, Placeholder<? extends TType>> inputs = new LinkedHashMap<>();
    List<Operand<TFloat32>> blocks = new ArrayList<>();
    for (FeatureSpec f : spec.features()) {
      String opName = placeholderName(tf, f.name());
      if (f.type() == FeatureType.NUMERIC) {
        Placeholder<TFloat32> x =
            tf.withName(opName).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
        inputs.put(f.name(), x);
        blocks.add(numeric(scoped, x, f));
      } else {
        Placeholder<TString> x =
            tf.withName(opName).placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
        inputs.put(f.name(), x);
        if (f.denseWidth() > 0) {
          blocks.add(categorical(scoped, x, f));
        }
      }
    }
    Operand<TFloat32> dense =
        blocks.size() == 1 ? blocks.get(0) : scoped.concat(blocks, scoped.constant(1));
    return new Applied(inputs, dense);
  }

  /** The class strings in class-index order, a {@code [K]} {@code TString} constant. */
  public static Operand<TString> labelVocabulary(Ops tf, TransformSpec spec) {
    List<String> classes = spec.label().vocabulary();
    if (!spec.label().task().isClassification() || classes == null || classes.isEmpty()) {
      throw new IllegalArgumentException(
          "label '" + spec.label().name() + "' has no class vocabulary (task "
              + spec.label().task() + ")");
    }
    return tf.withSubScope(SCOPE)
        .withName("label_vocabulary")
        .constant(StandardCharsets.UTF_8, classes.toArray(String[]::new));
  }

  /** The class strings of class indices (e.g. an argmax), for the {@code class} output. */
  public static Operand<TString> classStrings(
      Ops tf, TransformSpec spec, Operand<? extends TNumber> classIndices) {
    return tf.gather(labelVocabulary(tf, spec), classIndices, tf.constant(0));
  }

  private static Operand<TFloat32> numeric(Ops tf, Operand<TFloat32> x, FeatureSpec f) {
    FeatureEncoder.NumericScale scale = FeatureEncoder.numericScale(f);
    Operand<TFloat32> z =
        tf.math.div(tf.math.sub(x, tf.constant(scale.mean())), tf.constant(scale.stddev()));
    Operand<TFloat32> filled = tf.select(tf.math.isNan(x), tf.zerosLike(z), z);
    return tf.expandDims(filled, tf.constant(1));
  }

  private static Operand<TFloat32> categorical(Ops tf, Operand<TString> x, FeatureSpec f) {
    Operand<TString> column = tf.expandDims(x, tf.constant(1));
    List<String> vocabulary = f.vocabulary();
    boolean oov = f.oovBucketsOrDefault() == 1;
    if (vocabulary.isEmpty()) {
      // Only the OOV slot: every value is out of vocabulary.
      return tf.fill(
          tf.concat(List.of(tf.shape(x), tf.constant(new int[] {1})), tf.constant(0)),
          tf.constant(1f));
    }
    Operand<TString> vocab =
        tf.constant(StandardCharsets.UTF_8, vocabulary.toArray(String[]::new));
    Operand<TFloat32> oneHot = tf.dtypes.cast(tf.math.equal(column, vocab), TFloat32.class);
    if (!oov) {
      return oneHot;
    }
    Operand<TFloat32> inVocabulary =
        tf.reduceSum(oneHot, tf.constant(1), ReduceSum.keepDims(true));
    Operand<TFloat32> oovSlot = tf.math.sub(tf.constant(1f), inVocabulary);
    return tf.concat(List.of(oneHot, oovSlot), tf.constant(1));
  }

  private static String placeholderName(Ops tf, String column) {
    ExecutionEnvironment env = tf.scope().env();
    boolean taken = env instanceof Graph graph && graph.operation(column) != null;
    if (VALID_OP_NAME.matcher(column).matches() && !taken) {
      return column;
    }
    String sanitized = column.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    String base = "input_" + sanitized;
    String name = base;
    for (int i = 1; env instanceof Graph graph && graph.operation(name) != null; i++) {
      name = base + "_" + i;
    }
    return name;
  }
}
