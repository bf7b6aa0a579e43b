package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Tensor;

/**
 * Values of a graph's variables copied out of a session at one moment, owned by this object until
 * {@link #close()}. Lets a checkpoint be written (by {@link SnapshotWriter}) while training goes
 * on. Not thread-safe; hand it from one thread to another, do not share it.
 */
public final class VariableSnapshot implements AutoCloseable {
  private final List<SavedVariable> variables;
  private final List<Tensor> values;
  private final Consumer<List<Tensor>> release;
  private boolean closed;

  VariableSnapshot(List<SavedVariable> variables, List<Tensor> values, Consumer<List<Tensor>> release) {
    this.variables = List.copyOf(variables);
    this.values = List.copyOf(values);
    this.release = release;
  }

  List<SavedVariable> variables() {
    return variables;
  }

  List<Tensor> values() {
    return values;
  }

  /** Total bytes held. */
  public long numBytes() {
    return values.stream().mapToLong(Tensor::numBytes).sum();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.accept(values);
    }
  }
}
