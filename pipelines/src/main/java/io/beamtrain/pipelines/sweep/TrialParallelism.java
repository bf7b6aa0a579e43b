package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.flink.FlinkTaskSlots;
import java.lang.reflect.Method;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How many trials one worker JVM trains at the same time, which decides how a trial's TensorFlow
 * thread pools are sized ({@code cores / concurrent trials}, see {@link TrialSettings}).
 *
 * <p>An explicit {@code --trialsPerWorker} wins. Otherwise it follows the runner's own
 * parallelism: the DirectRunner's {@code --targetParallelism}, the FlinkRunner's {@code
 * --parallelism} (embedded Flink runs every slot in this JVM) or, on a session cluster ({@code
 * --flinkMaster=host:port}), its TaskManagers' slots, the SparkRunner's {@code local[N]} (on a
 * Spark cluster 0: each executor's cores, read on the executor, {@link io.beamtrain.pipelines.spark.SparkExecutorCores});
 * for other runners (Dataflow: one DoFn thread per vCPU) 0, meaning "the worker's cores", decided
 * on the worker. Never more than the number of trials. Flink and Spark options are read
 * reflectively because their runners are only on the classpath in the flink/spark builds.
 */
public final class TrialParallelism {
  /** DirectRunner threads kept free of trials for scheduling and the cheap steps around them. */
  static final int SCHEDULING_THREADS = 2;
  private static final Pattern SPARK_LOCAL = Pattern.compile("local\\[(\\d+|\\*)]");

  private TrialParallelism() {}

  public static int resolve(PipelineOptions options, int requested, int trialCount) {
    int parallelism = requested > 0 ? requested : fromRunner(options);
    return parallelism <= 0 ? 0 : Math.min(parallelism, trialCount);
  }

  private static int fromRunner(PipelineOptions options) {
    String runner = options.getRunner().getSimpleName();
    int cores = Runtime.getRuntime().availableProcessors();
    switch (runner) {
      case "DirectRunner", "TestDirectRunner":
        return options.as(DirectOptions.class).getTargetParallelism();
      case "FlinkRunner", "TestFlinkRunner":
        Object flinkMaster = readOption(options, "org.apache.beam.runners.flink.FlinkPipelineOptions", "getFlinkMaster");
        if (flinkMaster instanceof String master && FlinkTaskSlots.isCluster(master)) {
          // A session cluster: each TaskManager trains as many trials at once as it has slots.
          return FlinkTaskSlots.perTaskManager(master).orElse(0);
        }
        Object parallelism = readOption(options, "org.apache.beam.runners.flink.FlinkPipelineOptions", "getParallelism");
        int p = parallelism instanceof Integer i ? i : -1;
        return p > 0 ? p : cores;
      case "SparkRunner", "TestSparkRunner":
        Object master = readOption(options, "org.apache.beam.runners.spark.SparkPipelineOptions", "getSparkMaster");
        if (master instanceof String m) {
          Matcher local = SPARK_LOCAL.matcher(m);
          if (local.matches()) {
            return local.group(1).equals("*") ? cores : Integer.parseInt(local.group(1));
          }
          return m.equals("local") ? 1 : 0;
        }
        return 0;
      default:
        return 0;
    }
  }

  /**
   * On the DirectRunner, raises {@code --targetParallelism} above the trial count once the trials
   * per worker have been resolved from it: the runner schedules bundles on that same pool, so with
   * every thread in a trial the next trial would wait for the scheduler. {@link TrialSlots} keeps
   * the number of trials actually training at the resolved value. Other runners are untouched.
   *
   * <p>The price (issue 15, JFR): Beam's DirectRunner monitor resubmits itself to the pool with no
   * wait, so a spare thread spins at a full core in {@code WatermarkManager.extractFiredTimers}
   * while the trials train, a third of a 2-core machine beside 2 trials. Without spare threads it
   * cannot run between trials either, and they start in waves (measured: about 1 s between waves
   * on a loaded machine); neither is the fix, which would need a runner that waits for work.
   */
  public static void leaveDirectRunnerThreadsForScheduling(PipelineOptions options, int trialCount) {
    String runner = options.getRunner().getSimpleName();
    if (runner.equals("DirectRunner") || runner.equals("TestDirectRunner")) {
      DirectOptions direct = options.as(DirectOptions.class);
      direct.setTargetParallelism(Math.max(direct.getTargetParallelism(), trialCount + SCHEDULING_THREADS));
    }
  }

  @SuppressWarnings("unchecked")
  private static Object readOption(PipelineOptions options, String interfaceName, String getter) {
    try {
      Class<? extends PipelineOptions> type =
          (Class<? extends PipelineOptions>) Class.forName(interfaceName, true, TrialParallelism.class.getClassLoader());
      PipelineOptions view = options.as(type);
      Method method = type.getMethod(getter);
      return method.invoke(view);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
