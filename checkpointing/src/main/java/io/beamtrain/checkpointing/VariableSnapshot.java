package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * Values of a graph's variables copied out of a session at one moment, owned by this object until
 * {@link #close()}. Lets a checkpoint be written (by {@link SnapshotWriter}) while training goes
 * on. Not thread-safe; hand it from one thread to another, do not share it.
 */
public final class VariableSnapshot implements AutoCloseable {
  private final List<SavedVariable> variables;
  private final Result result;
  private final List<Tensor> values;

  VariableSnapshot(List<SavedVariable> variables, Result result) {
    this.variables = List.copyOf(variables);
    this.result = result;
    List<Tensor> tensors = new ArrayList<>(result.size());
    for (int i = 0; i < result.size(); i++) {
      tensors.add(result.get(i));
    }
    this.values = List.copyOf(tensors);
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
    result.close();
  }
}
