package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

class SnapshotBuffersTest {

  @Test
  void reusesReleasedBuffersAndCopiesTheBytes() {
    try (SnapshotBuffers pool = new SnapshotBuffers();
        TFloat32 first = TFloat32.vectorOf(1, 2, 3);
        TFloat32 second = TFloat32.vectorOf(4, 5, 6)) {
      Tensor a = pool.copyOf(0, first, TFloat32.class);
      assertArrayEquals(new float[] {1, 2, 3}, TestModel.flatten(a));
      pool.release(List.of(a));
      Tensor b = pool.copyOf(0, second, TFloat32.class);
      assertSame(a, b, "the released buffer is reused");
      assertArrayEquals(new float[] {4, 5, 6}, TestModel.flatten(b));
      pool.release(List.of(b));
    }
  }

  @Test
  void aShapeChangeGetsANewBufferAndStringsAreNeverPooled() {
    try (SnapshotBuffers pool = new SnapshotBuffers();
        TFloat32 small = TFloat32.vectorOf(1, 2);
        TFloat32 large = TFloat32.vectorOf(1, 2, 3, 4);
        TString words = TString.vectorOf("a", "bc")) {
      Tensor a = pool.copyOf(0, small, TFloat32.class);
      pool.release(List.of(a));
      Tensor b = pool.copyOf(0, large, TFloat32.class);
      assertNotSame(a, b);
      assertEquals(4, b.shape().size());
      Tensor s = pool.copyOf(1, words, TString.class);
      assertEquals("bc", ((TString) s).getObject(1));
      pool.release(List.of(b, s));
      try (TString again = TString.vectorOf("x", "y")) {
        Tensor t = pool.copyOf(1, again, TString.class);
        assertNotSame(s, t, "string tensors are copied anew each time");
        assertEquals("y", ((TString) t).getObject(1));
        pool.release(List.of(t));
      }
    }
  }
}
