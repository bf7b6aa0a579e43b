package io.beamtrain.pipelines.spark;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The tasks a Spark executor runs at once -- its cores ({@code spark.executor.cores}, else the
 * {@code --cores} its cluster manager started it with) divided by {@code spark.task.cpus} -- read
 * in the executor itself. A task trains one trial, so this is the trials one worker JVM trains at
 * once, which sizes each trial's TensorFlow threads ({@code cores / trials}). The driver cannot
 * know it when the pipeline is built: a standalone Worker gives an executor all its cores unless
 * {@code spark.executor.cores} says otherwise, and {@code spark://host:port} does not say where
 * the Master's REST UI is. Spark is read reflectively: it is on the classpath of the spark build
 * only (and provided there, by the cluster).
 */
public final class SparkExecutorCores {
  private SparkExecutorCores() {}

  /** In a Spark executor JVM, the tasks it runs at once; empty anywhere else (driver included). */
  public static OptionalInt ofThisExecutor() {
    try {
      Class<?> envClass = Class.forName("org.apache.spark.SparkEnv", false, SparkExecutorCores.class.getClassLoader());
      Object env = envClass.getMethod("get").invoke(null);
      if (env == null || "driver".equals(envClass.getMethod("executorId").invoke(env))) {
        return OptionalInt.empty();
      }
      Object conf = envClass.getMethod("conf").invoke(env);
      Method getOption = conf.getClass().getMethod("getOption", String.class);
      Function<String, Optional<String>> lookup = key -> {
        try {
          Object option = getOption.invoke(conf, key);
          Object isDefined = option.getClass().getMethod("isDefined").invoke(option);
          return Boolean.TRUE.equals(isDefined)
              ? Optional.of(String.valueOf(option.getClass().getMethod("get").invoke(option)))
              : Optional.empty();
        } catch (ReflectiveOperationException e) {
          return Optional.empty();
        }
      };
      return resolve(lookup, processArguments());
    } catch (ClassNotFoundException | LinkageError notSpark) {
      return OptionalInt.empty();
    } catch (ReflectiveOperationException e) {
      // Another Spark than the 3.5 the spark build targets: size from the machine's cores instead.
      return OptionalInt.empty();
    }
  }

  /**
   * The tasks an executor with this configuration and command line runs at once: {@code
   * spark.executor.cores} (or the command line's {@code --cores N}, which every Spark cluster
   * manager passes to its executor backend) divided by {@code spark.task.cpus} (default 1), at
   * least 1; empty when neither gives the cores.
   */
  static OptionalInt resolve(Function<String, Optional<String>> conf, List<String> arguments) {
    OptionalInt cores = conf.apply("spark.executor.cores").map(SparkExecutorCores::positive)
        .orElseGet(() -> coresArgument(arguments));
    if (cores.isEmpty()) {
      return cores;
    }
    int taskCpus = conf.apply("spark.task.cpus").map(SparkExecutorCores::positive).orElse(OptionalInt.empty()).orElse(1);
    return OptionalInt.of(Math.max(1, cores.getAsInt() / taskCpus));
  }

  private static OptionalInt coresArgument(List<String> arguments) {
    for (int i = 0; i + 1 < arguments.size(); i++) {
      if (arguments.get(i).equals("--cores")) {
        return positive(arguments.get(i + 1));
      }
    }
    return OptionalInt.empty();
  }

  private static OptionalInt positive(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static List<String> processArguments() {
    Optional<String[]> arguments = ProcessHandle.current().info().arguments();
    if (arguments.isPresent()) {
      return Arrays.asList(arguments.get());
    }
    String command = System.getProperty("sun.java.command", "");
    return Arrays.asList(command.split("\\s+"));
  }
}
