package io.beamtrain.pipelines.flink;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * Keys that a Flink batch job's shuffle sends to a chosen subtask. The FlinkRunner translates a
 * {@code GroupByKey} or {@code Reshuffle} of a bounded pipeline to a DataSet {@code groupBy} on
 * the key's encoded bytes, which hash-partitions: subtask {@code murmurHash(Arrays.hashCode(bytes))
 * % parallelism}, murmur being Flink's {@code MathUtils.murmurHash}. A handful of trials keyed by
 * their ids therefore often share a subtask (4 trials on 4 subtasks all land apart only 9 times in
 * 100) and train one after the other while other slots idle; keyed by {@link #keyFor} they land
 * where they are sent ({@code SpreadOverWorkersTest} checks it on an embedded Flink job).
 *
 * <p>Flink's classes are on the classpath only in the flink build and on Flink's workers, so they
 * are called reflectively, on the worker, when the key is needed.
 */
public final class FlinkPartitions {
  private static final String OPTIONS = "org.apache.beam.runners.flink.FlinkPipelineOptions";
  private static final String MATH_UTILS = "org.apache.flink.util.MathUtils";

  private FlinkPartitions() {}

  /**
   * The smallest non-negative {@link VarIntCoder} key that Flink's batch shuffle sends to subtask
   * {@code target} of {@code parallelism}. Murmur spreads consecutive keys evenly, so this takes
   * about {@code parallelism} tries.
   */
  public static int keyFor(int target, int parallelism) {
    if (parallelism < 1 || target < 0 || target >= parallelism) {
      throw new IllegalArgumentException("no subtask " + target + " of " + parallelism);
    }
    Method murmur = murmurHash();
    for (int key = 0; key < Integer.MAX_VALUE; key++) {
      if (subtaskOf(murmur, key, parallelism) == target) {
        return key;
      }
    }
    throw new IllegalStateException("no key reaches subtask " + target + " of " + parallelism);
  }

  /** The subtask of {@code parallelism} that Flink's batch shuffle sends the {@link VarIntCoder} key to. */
  public static int subtaskOf(int key, int parallelism) {
    return subtaskOf(murmurHash(), key, parallelism);
  }

  /**
   * The job's parallelism as the FlinkRunner fixed it when it built the job ({@code --parallelism},
   * or the cluster's {@code parallelism.default}); the runner writes it into the options the
   * workers get. 0 when these are not a FlinkRunner's options.
   */
  @SuppressWarnings("unchecked")
  public static int parallelism(PipelineOptions options) {
    try {
      Class<? extends PipelineOptions> type = (Class<? extends PipelineOptions>)
          Class.forName(OPTIONS, true, FlinkPartitions.class.getClassLoader());
      Object value = type.getMethod("getParallelism").invoke(options.as(type));
      return value instanceof Integer p && p > 0 ? p : 0;
    } catch (ReflectiveOperationException | LinkageError e) {
      return 0;
    }
  }

  private static int subtaskOf(Method murmur, int key, int parallelism) {
    try {
      byte[] encoded = CoderUtils.encodeToByteArray(VarIntCoder.of(), key);
      return (Integer) murmur.invoke(null, Arrays.hashCode(encoded)) % parallelism;
    } catch (CoderException | ReflectiveOperationException e) {
      throw new IllegalStateException("cannot compute Flink's partition of key " + key, e);
    }
  }

  private static Method murmurHash() {
    try {
      return Class.forName(MATH_UTILS, true, FlinkPartitions.class.getClassLoader())
          .getMethod("murmurHash", int.class);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Flink's " + MATH_UTILS + " is not on the classpath: not a Flink worker", e);
    }
  }
}
