package io.beamtrain.trainer;

/**
 * Makes sure this process holds one TensorFlow: the guard every entry point of the trainer that
 * loads TensorFlow's native library passes first ({@link #requireSingleCopy()}).
 *
 * <p>TensorFlow's native library registers its protobuf descriptors in one process-wide C++
 * registry. A second copy loaded by another class loader (JavaCPP extracts and loads the library
 * again for each class loader that defines its classes) aborts the whole JVM with {@code
 * libprotobuf FATAL ... File already exists in database}. That is what a Flink session cluster
 * does when TensorFlow travels in the job jar: each job gets a class loader of its own, the first
 * job loads TensorFlow and the second kills the TaskManager. So the guard refuses, with a message
 * naming the fix, instead of loading:
 *
 * <ul>
 *   <li>TensorFlow's classes defined by a Flink job's class loader ({@code
 *       FlinkUserCodeClassLoader}): the next job would crash the TaskManager. They must come from
 *       the TaskManager's {@code lib/}, parent-first ({@code beamtrain flink-setup}).
 *   <li>TensorFlow's classes defined by another class loader than the one that first loaded them
 *       in this JVM, on any engine. The first loader is recorded in the system property {@value
 *       #LOADER_PROPERTY}: a static field would be per class loader too, and so blind to the
 *       earlier copy.
 * </ul>
 *
 * <p>Thrown as {@link UnsatisfiedLinkError}, what the JVM itself throws when a native library is
 * already loaded in another class loader, so trial code that turns exceptions into FAILED trials
 * lets it through and the job fails with this message.
 */
public final class NativeTensorFlow {
  /** System property holding the class loader that defined TensorFlow first in this JVM. */
  public static final String LOADER_PROPERTY = "beamtrain.tensorflow.classloader";
  /** The class whose initialisation loads TensorFlow's native library (JavaCPP). */
  static final String NATIVE_CLASS = "org.tensorflow.internal.c_api.global.tensorflow";
  private static final String FLINK_JOB_LOADER = "org.apache.flink.util.FlinkUserCodeClassLoader";
  static final String FLINK_FIX = "put TensorFlow in the TaskManagers' lib/ and load it parent-first: "
      + "run 'beamtrain flink-setup --flinkHome=<Flink dir>' on every TaskManager host and restart them "
      + "(docs/CLUSTERS.md, Flink)";

  private static volatile boolean checked;

  private NativeTensorFlow() {}

  /** Throws {@link UnsatisfiedLinkError} if loading TensorFlow here would load a second copy. */
  public static void requireSingleCopy() {
    if (!checked) {
      check(LOADER_PROPERTY, NativeTensorFlow.class.getClassLoader());
      checked = true;
    }
  }

  /**
   * The check, with the JVM-wide record under {@code property} and TensorFlow's classes as {@code
   * loader} resolves them (without initialising them, which would load the library).
   */
  static void check(String property, ClassLoader loader) {
    Class<?> nativeClass;
    try {
      nativeClass = Class.forName(NATIVE_CLASS, false, loader);
    } catch (ClassNotFoundException e) {
      throw new NoClassDefFoundError(NATIVE_CLASS + ": TensorFlow Java (tensorflow-core-native) is not on the class path");
    }
    ClassLoader definer = nativeClass.getClassLoader();
    if (isFlinkJobLoader(definer)) {
      throw new UnsatisfiedLinkError("TensorFlow is loaded by this Flink job's class loader (" + describe(definer)
          + "), so each job would load another copy into the TaskManager and the second would crash it: "
          + FLINK_FIX);
    }
    String id = describe(definer);
    Object first = System.getProperties().putIfAbsent(property, id);
    if (first != null && !first.equals(id)) {
      throw new UnsatisfiedLinkError("TensorFlow is already loaded in this JVM by class loader " + first
          + " and would be loaded again by " + id + ", which crashes the process (one TensorFlow per JVM); "
          + "load TensorFlow from a class loader shared by all jobs (on Flink: " + FLINK_FIX + ")");
    }
  }

  private static boolean isFlinkJobLoader(ClassLoader loader) {
    for (Class<?> c = loader == null ? null : loader.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(FLINK_JOB_LOADER)) {
        return true;
      }
    }
    return false;
  }

  /** A class loader's identity, stable for its life and distinct from other live loaders'. */
  static String describe(ClassLoader loader) {
    if (loader == null) {
      return "bootstrap";
    }
    return loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader));
  }
}
