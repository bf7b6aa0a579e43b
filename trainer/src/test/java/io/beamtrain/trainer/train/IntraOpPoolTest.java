package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
