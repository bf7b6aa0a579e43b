package io.beamtrain.checkpointing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Reusable native buffers for {@link VariableSnapshot}s. Copying into memory that is already
 * mapped costs one memcpy; a fresh allocation of a large tensor costs page faults and zeroing
 * first, several times slower. An async manager keeps one pool, which grows to at most as many
 * buffer sets as snapshots alive at once (queue capacity + 1). Thread-safe.
 */
final class SnapshotBuffers implements AutoCloseable {
  private final List<Deque<Tensor>> free = new ArrayList<>();
  private boolean closed;

  /** A pool that keeps nothing: every buffer is new and closed with its snapshot. */
  static SnapshotBuffers unpooled() {
    SnapshotBuffers none = new SnapshotBuffers();
    none.closed = true;
    return none;
  }

  /**
   * A copy of {@code fetched} (variable {@code index}) in a pooled buffer of the same shape, or
   * a new one. String tensors are copied element by element and never pooled.
   */
  Tensor copyOf(int index, Tensor fetched, Class<? extends TType> type) {
    if (fetched.dataType() == DataType.DT_STRING) {
      return TString.tensorOfBytes(((TString) fetched).asBytes());
    }
    Tensor buffer = take(index, fetched);
    if (buffer == null) {
      buffer = Tensor.of(type, fetched.shape());
    }
    fetched.asRawTensor().data().copyTo(buffer.asRawTensor().data(), fetched.numBytes());
    return buffer;
  }

  /** Gives a snapshot's tensors back (closing what cannot be reused). */
  synchronized void release(List<Tensor> tensors) {
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      if (closed || t.dataType() == DataType.DT_STRING) {
        t.close();
      } else {
        slot(i).push(t);
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    free.forEach(d -> d.forEach(Tensor::close));
    free.clear();
  }

  private synchronized Tensor take(int index, Tensor like) {
    if (closed) {
      return null;
    }
    Deque<Tensor> slot = slot(index);
    while (!slot.isEmpty()) {
      Tensor candidate = slot.pop();
      if (candidate.shape().equals(like.shape()) && candidate.dataType() == like.dataType()) {
        return candidate;
      }
      candidate.close(); // the variable changed shape (validate_shape=false); drop the old buffer
    }
    return null;
  }

  private Deque<Tensor> slot(int index) {
    while (free.size() <= index) {
      free.add(new ArrayDeque<>());
    }
    return free.get(index);
  }
}
