package io.beamtrain.trainer.train;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TensorFlow's CPU intra-op thread pool as a process sees it, for the sessions the trainer opens.
 *
 * <p>TensorFlow (as Python's does) creates one intra-op pool for the whole process, sized by the
 * first session's {@code intra_op_parallelism_threads}; every later session shares it, whatever
 * it asks for ({@code use_per_session_threads} makes only the inter-op pool per session). With
 * {@value #PER_SESSION_VARIABLE}{@code =true} in the process environment, which TensorFlow reads
 * once, each session gets a pool of its own of the size it asks for instead. This class mirrors
 * that rule so the trainer knows how many threads a session will really get. It only sees the
 * sessions the trainer configures; a session opened elsewhere with the default config (a serving
 * model loaded first, say) sizes a shared pool to the cores without it knowing.
 *
 * <p>The process's pool ({@link #PROCESS}) keeps the shared size in the system property {@value
 * #SIZE_PROPERTY}, not in a field: on a Flink session cluster TensorFlow is loaded once per
 * TaskManager from {@code lib/} while this class comes with each job's jar, in each job's class
 * loader, and a field would not see the pool an earlier job's sessions sized.
 *
 * <p>Thread-safe.
 */
final class IntraOpPool {
  /** TensorFlow's switch from one process-wide intra-op pool to one pool per session. */
  static final String PER_SESSION_VARIABLE = "TF_OVERRIDE_GLOBAL_THREADPOOL";

  /** System property holding the process's shared pool size once its first session set it. */
  static final String SIZE_PROPERTY = "beamtrain.tensorflow.intraOpPoolThreads";

  /** This process, as its environment configures TensorFlow, whichever class loader asks. */
  static final IntraOpPool PROCESS = jvmWide(SIZE_PROPERTY, perSession(System.getenv(PER_SESSION_VARIABLE)));

  private final boolean perSession;
  /** The shared pool's size once the first session asked for one, else 0 (a pool of this object's own). */
  private final AtomicInteger sharedSize = new AtomicInteger();
  /** The system property recording the shared size for the whole JVM, or null for {@link #sharedSize}. */
  private final String sizeProperty;

  /** A pool of this object's own (tests). */
  IntraOpPool(boolean perSession) {
    this(perSession, null);
  }

  private IntraOpPool(boolean perSession, String sizeProperty) {
    this.perSession = perSession;
    this.sizeProperty = sizeProperty;
  }

  /** A pool whose shared size every class loader of this JVM sees, recorded under {@code property}. */
  static IntraOpPool jvmWide(String property, boolean perSession) {
    return new IntraOpPool(perSession, property);
  }

  /** Whether TensorFlow reads {@code value} of {@value #PER_SESSION_VARIABLE} as true. */
  static boolean perSession(String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("1") || v.equals("true");
  }

  boolean isPerSession() {
    return perSession;
  }

  /** A session asks for {@code threads} intra-op threads: returns how many it will run on. */
  int claim(int threads) {
    if (perSession) {
      return threads;
    }
    if (sizeProperty == null) {
      int first = sharedSize.compareAndExchange(0, threads);
      return first == 0 ? threads : first;
    }
    // Properties.putIfAbsent is atomic: two jobs' first sessions cannot both size the pool.
    Object first = System.getProperties().putIfAbsent(sizeProperty, Integer.toString(threads));
    return first == null ? threads : Integer.parseInt(first.toString());
  }
}
