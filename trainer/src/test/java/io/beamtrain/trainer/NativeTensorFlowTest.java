package io.beamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.testing.IsolatedClassLoader;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One TensorFlow per JVM: a second class loader that would define (and so load) TensorFlow again
 * is refused with a message, where loading it would abort the JVM. Isolated class loaders stand
 * for two Flink jobs on one TaskManager; TensorFlow's classes are resolved, never initialised, so
 * no native library is loaded here.
 */
class NativeTensorFlowTest {
  private static final String PROPERTY = "beamtrain.test.tensorflow.classloader";
  private static final Class<?>[] CHECK = {String.class, ClassLoader.class};

  @AfterEach
  void forgetTheFirstLoader() {
    System.clearProperty(PROPERTY);
  }

  private static IsolatedClassLoader job() throws Exception {
    return new IsolatedClassLoader(NativeTensorFlow.class,
        Class.forName(NativeTensorFlow.NATIVE_CLASS, false, NativeTensorFlowTest.class.getClassLoader()),
        Loader.class);
  }

  @Test
  void aSecondClassLoaderWithItsOwnTensorFlowIsRefused() throws Throwable {
    try (IsolatedClassLoader first = job(); IsolatedClassLoader second = job()) {
      first.callStatic(NativeTensorFlow.class, "check", CHECK, PROPERTY, first);
      // The same loader again (the next trial of the same job) is fine.
      first.callStatic(NativeTensorFlow.class, "check", CHECK, PROPERTY, first);
      UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
          () -> second.callStatic(NativeTensorFlow.class, "check", CHECK, PROPERTY, second));
      assertTrue(e.getMessage().contains("already loaded in this JVM by class loader"), e.getMessage());
      assertTrue(e.getMessage().contains("beamtrain flink-setup"), e.getMessage());
    }
  }

  @Test
  void jobsSharingTheParentsTensorFlowPass() throws Throwable {
    // Each job's classes are its own, TensorFlow's come from the shared parent (Flink's lib/).
    ClassLoader parent = NativeTensorFlowTest.class.getClassLoader();
    try (IsolatedClassLoader first = job(); IsolatedClassLoader second = job()) {
      assertDoesNotThrow(() -> first.callStatic(NativeTensorFlow.class, "check", CHECK, PROPERTY, parent));
      assertDoesNotThrow(() -> second.callStatic(NativeTensorFlow.class, "check", CHECK, PROPERTY, parent));
    }
  }
}
