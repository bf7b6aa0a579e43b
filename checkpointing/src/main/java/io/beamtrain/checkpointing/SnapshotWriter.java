package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

/**
 * Writes a {@link VariableSnapshot} as a V2 checkpoint with a private graph of its own (one
 * placeholder per variable feeding a {@code SaveV2} with the same keys as the model's saver), so
 * the files are the ones {@link SaverGraph#save} would have written, without touching the
 * training session. Not thread-safe: one writer per background thread.
 */
final class SnapshotWriter implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final List<String> placeholders = new ArrayList<>();
  private final String prefixName;
  private final String saveName;

  SnapshotWriter(List<SavedVariable> variables) {
    Output<?> prefix = placeholder("prefix", DataType.DT_STRING, Shape.scalar());
    List<Output<?>> inputs = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      SavedVariable v = variables.get(i);
      Output<?> p = placeholder("value_" + i, v.dtype(), v.shape());
      inputs.add(p);
      placeholders.add(p.op().name());
    }
    String[] names = variables.stream().map(SavedVariable::name).toArray(String[]::new);
    String[] slices = new String[names.length];
    java.util.Arrays.fill(slices, "");
    GraphOperation save =
        graph
            .opBuilder("SaveV2", "SaveV2", graph.baseScope())
            .addInput(prefix)
            .addInput(constant("tensor_names", names))
            .addInput(constant("shape_and_slices", slices))
            .addInputList(inputs.toArray(new Output<?>[0]))
            .setAttr("dtypes", variables.stream().map(SavedVariable::dtype).toArray(DataType[]::new))
            .build();
    this.prefixName = prefix.op().name();
    this.saveName = save.name();
    this.session = new Session(graph);
  }

  void write(VariableSnapshot snapshot, String localPrefix) {
    write(snapshot.values(), localPrefix);
  }

  /** Writes {@code values}, one per variable in the saver's order, as a V2 checkpoint at {@code localPrefix}. */
  void write(List<Tensor> values, String localPrefix) {
    if (values.size() != placeholders.size()) {
      throw new IllegalArgumentException(
          "snapshot has " + values.size() + " variables, writer expects " + placeholders.size());
    }
    Path parent = Paths.get(localPrefix).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create local checkpoint directory " + parent, e);
    }
    try (TString prefix = TString.scalarOf(localPrefix)) {
      Session.Runner runner = session.runner().feed(prefixName, prefix).addTarget(saveName);
      for (int i = 0; i < placeholders.size(); i++) {
        runner.feed(placeholders.get(i), values.get(i));
      }
      runner.run().close();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private Output<?> placeholder(String name, DataType dtype, Shape shape) {
    return graph
        .opBuilder("Placeholder", name, graph.baseScope())
        .setAttr("dtype", dtype)
        .setAttr("shape", shape)
        .build()
        .output(0);
  }

  private Output<?> constant(String name, String[] values) {
    try (TString value = TString.vectorOf(values)) {
      return graph
          .opBuilder("Const", name, graph.baseScope())
          .setAttr("value", value)
          .setAttr("dtype", DataType.DT_STRING)
          .build()
          .output(0);
    }
  }
}
