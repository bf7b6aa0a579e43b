package io.beamtrain.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.NativeTensorFlow;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.ChildFirstClassLoader;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer's one-TensorFlow-per-JVM guard under Flink's own job class loader: a job jar whose
 * TensorFlow a TaskManager would load child-first (the setup that crashed TaskManagers on the
 * second job) is refused with the fix; with flink-setup's parent-first patterns it is accepted.
 * TensorFlow's classes are resolved, never initialised: no native library is loaded.
 */
class FlinkJobClassLoaderTest {
  private static final String PROPERTY = "beamtrain.test.flink.tensorflow.classloader";

  @AfterEach
  void forget() {
    System.clearProperty(PROPERTY);
  }

  /** A Flink job's class loader over the trainer and TensorFlow, as the job jar holds them. */
  private static ChildFirstClassLoader jobLoader(List<String> parentFirst) throws Exception {
    Class<?> tf = Class.forName("org.tensorflow.internal.c_api.global.tensorflow", false,
        FlinkJobClassLoaderTest.class.getClassLoader());
    URL[] jobJar = {codeSource(NativeTensorFlow.class), codeSource(tf), codeSource(Loader.class)};
    List<String> patterns = new ArrayList<>(List.of("java.", "org.apache.flink.", "org.slf4j"));
    patterns.addAll(parentFirst);
    return new ChildFirstClassLoader(jobJar, FlinkJobClassLoaderTest.class.getClassLoader(),
        patterns.toArray(String[]::new), e -> {});
  }

  private static URL codeSource(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  private static void check(ClassLoader job) throws Throwable {
    Method check = job.loadClass(NativeTensorFlow.class.getName()).getDeclaredMethod("check", String.class, ClassLoader.class);
    check.setAccessible(true);
    try {
      check.invoke(null, PROPERTY, job);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void tensorFlowInTheJobsClassLoaderIsRefusedWithTheFix() throws Exception {
    try (ChildFirstClassLoader job = jobLoader(List.of())) {
      UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> check(job));
      assertTrue(e.getMessage().contains("loaded by this Flink job's class loader"), e.getMessage());
      assertTrue(e.getMessage().contains("beamtrain flink-setup --flinkHome="), e.getMessage());
    }
  }

  @Test
  void tensorFlowFromTheTaskManagersLibIsAcceptedJobAfterJob() throws Throwable {
    try (ChildFirstClassLoader first = jobLoader(FlinkSetup.PARENT_FIRST);
        ChildFirstClassLoader second = jobLoader(FlinkSetup.PARENT_FIRST)) {
      check(first);
      check(second);
    }
  }
}
