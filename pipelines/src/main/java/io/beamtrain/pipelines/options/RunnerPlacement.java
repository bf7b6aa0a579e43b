package io.beamtrain.pipelines.options;

import io.beamtrain.pipelines.UsageException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Which engine a {@code --runner} names and whether its workers run on other machines -- where a
 * local path means nothing: a worker cannot read this machine's {@code data/penguins.csv}, and
 * what it writes to its own {@code ./out} is scattered over machines nobody reads. {@link
 * #checkWorkerPaths} refuses such a run before anything is submitted (docs/CLUSTERS.md, shared
 * storage).
 *
 * <p>Runner names are those Beam's {@code PipelineOptionsFactory} accepts: a runner's simple class
 * name in any case, with or without the {@code Runner} suffix ({@code flink}, {@code Flink},
 * {@code FlinkRunner}, {@code TestFlinkRunner}), or its fully qualified class name. The launcher
 * script {@code ./beamtrain} maps the same names to the jar that holds the runner.
 */
public final class RunnerPlacement {
  /** The flags whose paths the workers read or write (launch-only files such as --study are not). */
  static final List<String> WORKER_PATH_FLAGS =
      List.of("output", "input", "models", "model", "predictions", "tempLocation");

  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final List<String> LOCAL_FLINK_MASTERS = List.of("[local]", "[auto]", "[collection]");

  private RunnerPlacement() {}

  /** The Maven profile (and jar) a runner name needs: {@code flink}, {@code spark}, or empty. */
  public static Optional<String> profileOf(String runnerName) {
    String name = runnerName.toLowerCase(Locale.ROOT);
    if (name.startsWith("org.apache.beam.runners.flink.")) {
      return Optional.of("flink");
    }
    if (name.startsWith("org.apache.beam.runners.spark.")) {
      return Optional.of("spark");
    }
    String simple = name.endsWith("runner") ? name.substring(0, name.length() - "runner".length()) : name;
    return switch (simple) {
      case "flink", "testflink" -> Optional.of("flink");
      case "spark", "testspark", "sparkstructuredstreaming" -> Optional.of("spark");
      default -> Optional.empty();
    };
  }

  /**
   * Where the runner's workers are when they are not in this process or on this machine, e.g.
   * {@code "the DataflowRunner's workers"}; empty for the DirectRunner, embedded Flink ({@code
   * [local]}, {@code [auto]}) and Spark {@code local[N]}.
   */
  public static Optional<String> remoteWorkers(PipelineOptions options) {
    Class<?> runner = options.getRunner();
    String name = runner == null ? "" : runner.getSimpleName();
    switch (name) {
      case "DataflowRunner", "TestDataflowRunner":
        return Optional.of("the DataflowRunner's workers");
      case "FlinkRunner", "TestFlinkRunner": {
        Object master = read(options, "org.apache.beam.runners.flink.FlinkPipelineOptions", "getFlinkMaster");
        return master instanceof String m && !LOCAL_FLINK_MASTERS.contains(m)
            ? Optional.of("the Flink cluster's TaskManagers (--flinkMaster=" + m + ")")
            : Optional.empty();
      }
      case "SparkRunner", "TestSparkRunner", "SparkStructuredStreamingRunner": {
        Object master = read(options, "org.apache.beam.runners.spark.SparkCommonPipelineOptions", "getSparkMaster");
        return master instanceof String m && !m.startsWith("local")
            ? Optional.of("the Spark cluster's executors (--sparkMaster=" + m + ")")
            : Optional.empty();
      }
      default:
        return Optional.empty();
    }
  }

  /**
   * Refuses ({@link UsageException}, exit 2) a local path in a flag the workers use when the
   * workers run on other machines; names the flag. Does nothing for local runners.
   */
  public static void checkWorkerPaths(PipelineOptions options) {
    Optional<String> workers = remoteWorkers(options);
    if (workers.isEmpty()) {
      return;
    }
    for (String flag : WORKER_PATH_FLAGS) {
      Object value = read(options, null, "get" + Character.toUpperCase(flag.charAt(0)) + flag.substring(1));
      if (value instanceof String path && !path.isBlank() && isLocal(path)) {
        throw new UsageException("--" + flag + "=" + path + " is a local path, but " + workers.get()
            + " run on other machines and cannot see this machine's files; use shared storage such"
            + " as gs://bucket/prefix (docs/CLUSTERS.md)");
      }
    }
  }

  /** A path without a scheme (or {@code file:}): this machine's disk. */
  static boolean isLocal(String path) {
    return !URI_SCHEME.matcher(path).matches() || path.regionMatches(true, 0, "file:", 0, 5);
  }

  /**
   * Calls {@code getter} on the options as {@code interfaceName} (loaded reflectively: the Flink
   * and Spark runners are only in their own jars), or, with no interface name, on whichever of
   * the options' interfaces declares it; null when there is none.
   */
  @SuppressWarnings("unchecked")
  private static Object read(PipelineOptions options, String interfaceName, String getter) {
    try {
      if (interfaceName != null) {
        Class<? extends PipelineOptions> type = (Class<? extends PipelineOptions>)
            Class.forName(interfaceName, true, RunnerPlacement.class.getClassLoader());
        return type.getMethod(getter).invoke(options.as(type));
      }
      for (Class<?> type : options.getClass().getInterfaces()) {
        Method method = findGetter(type, getter);
        if (method != null) {
          return method.invoke(options);
        }
      }
      return null;
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  private static Method findGetter(Class<?> type, String getter) {
    try {
      Method method = type.getMethod(getter);
      return method.getParameterCount() == 0 ? method : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
