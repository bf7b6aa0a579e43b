package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.testing.IsolatedClassLoader;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class IntraOpPoolTest {
  @Test
  void aSharedPoolKeepsTheFirstSessionsSize() {
    IntraOpPool shared = new IntraOpPool(false);
    assertEquals(2, shared.claim(2));
    assertEquals(2, shared.claim(1));
    assertEquals(2, shared.claim(4));
  }

  @Test
  void perSessionPoolsGetWhatTheyAskFor() {
    IntraOpPool perSession = new IntraOpPool(true);
    assertEquals(2, perSession.claim(2));
    assertEquals(1, perSession.claim(1));
  }

  @Test
  void readsTheEnvironmentVariableAsTensorFlowDoes() {
    assertTrue(IntraOpPool.perSession("true"));
    assertTrue(IntraOpPool.perSession("TRUE"));
    assertTrue(IntraOpPool.perSession("1"));
    assertFalse(IntraOpPool.perSession("0"));
    assertFalse(IntraOpPool.perSession("false"));
    assertFalse(IntraOpPool.perSession(null));
  }

  @Test
  void anExactConfigRefusesASharedPoolOfAnotherSize() {
    IntraOpPool shared = new IntraOpPool(false);
    ConfigProto first = TrainingSession.sessionConfig(shared, 2, 2, false);
    assertEquals(2, first.getIntraOpParallelismThreads());
    assertTrue(first.getUsePerSessionThreads());
    // A lenient config goes on (with a warning); an exact one names the pool and the way out.
    assertEquals(1, TrainingSession.sessionConfig(shared, 1, 1, false).getIntraOpParallelismThreads());
    IllegalStateException e = assertThrows(
        IllegalStateException.class, () -> TrainingSession.sessionConfig(shared, 1, 1, true));
    assertTrue(e.getMessage().contains("has 2 threads"), e.getMessage());
    assertTrue(e.getMessage().contains("TF_OVERRIDE_GLOBAL_THREADPOOL=true"), e.getMessage());
  }

  @Test
  void anExactConfigAcceptsTheSameSizeOrPerSessionPools() {
    IntraOpPool shared = new IntraOpPool(false);
    TrainingSession.sessionConfig(shared, 1, 1, true);
    assertEquals(1, TrainingSession.sessionConfig(shared, 1, 1, true).getInterOpParallelismThreads());
    IntraOpPool perSession = new IntraOpPool(true);
    TrainingSession.sessionConfig(perSession, 2, 2, false);
    assertEquals(1, TrainingSession.sessionConfig(perSession, 1, 1, true).getIntraOpParallelismThreads());
  }

  @Test
  void theProcessPoolIsSharedByEveryClassLoaderOfTheJvm() throws Throwable {
    // Two jobs on one Flink TaskManager: each has its own copy of the trainer's classes, and
    // TensorFlow (from lib/) has one pool for both; the second job must see the first's size.
    String before = System.getProperty(IntraOpPool.SIZE_PROPERTY);
    try (IsolatedClassLoader first = new IsolatedClassLoader(IntraOpPool.class);
        IsolatedClassLoader second = new IsolatedClassLoader(IntraOpPool.class)) {
      int firstSize = claim(first, 3);
      assertEquals(firstSize, claim(second, 5));
      assertEquals(before == null ? 3 : Integer.parseInt(before), firstSize);
    } finally {
      if (before == null) {
        System.clearProperty(IntraOpPool.SIZE_PROPERTY);
      }
    }
  }

  private static int claim(IsolatedClassLoader loader, int threads) throws Throwable {
    java.lang.reflect.Field process = loader.loadClass(IntraOpPool.class.getName()).getDeclaredField("PROCESS");
    process.setAccessible(true);
    return (int) IsolatedClassLoader.call(process.get(null), "claim", new Class<?>[] {int.class}, threads);
  }
}
