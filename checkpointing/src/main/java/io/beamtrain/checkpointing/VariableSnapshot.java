package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Values of a graph's variables copied out of a session at one moment, owned by this object until
 * {@link #close()}. Lets a checkpoint be written (by {@link SnapshotWriter}) while training goes
 * on. Not thread-safe; hand it from one thread to another, do not share it.
 */
public final class VariableSnapshot implements AutoCloseable {
  private final List<SavedVariable> variables;
  private final List<Tensor> values;

  VariableSnapshot(List<SavedVariable> variables, List<Tensor> values) {
    this.variables = List.copyOf(variables);
    this.values = List.copyOf(values);
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
    values.forEach(Tensor::close);
  }

  /**
   * A deep copy of a fetched variable value. A fetched reference variable may share its buffer
   * with the variable, which the next training step updates in place, so the bytes are copied.
   */
  static Tensor copyOf(Tensor fetched, Class<? extends TType> type) {
    if (fetched.dataType() == DataType.DT_STRING) {
      return TString.tensorOfBytes(((TString) fetched).asBytes());
    }
    return Tensor.of(type, fetched.shape(), fetched.asRawTensor().data());
  }
}
