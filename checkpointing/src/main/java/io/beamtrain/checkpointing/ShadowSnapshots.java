package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

/**
 * The in-graph snapshot of an async {@link CheckpointManager} ({@link
 * CheckpointManagerOptions.SnapshotMode#IN_GRAPH}): one shadow {@code VariableV2} per saved
 * variable in the training graph, an op group assigning every variable to its shadow, and a
 * {@code SaveV2} writing the shadows under the variables' own checkpoint keys.
 *
 * <p>{@link #capture} runs the assigns: one {@code Session.run} on the training thread that
 * copies inside TensorFlow, several variables at once on its thread pools, with no tensor handed
 * to Java (measured about twice as fast as the fetch-and-copy of {@link SaverGraph#snapshot} at
 * 256 MB on 2 cores; see {@code CheckpointBenchmark}). The background thread then runs the
 * {@code SaveV2} in the same session, while training goes on: training never reads or writes the
 * shadows, and the files are those {@link SaverGraph#save} writes at the captured step (same
 * keys, order, dtypes and values).
 *
 * <p>One set of shadows: a {@link #capture} waits until the previous capture has been written
 * (never skips a save, so a best checkpoint is never lost). The shadows hold one more copy of
 * every variable for as long as the session lives. Their ops live under {@value #SCOPE}
 * (suffixed {@code _1}, ... when taken); {@link #isShadowOp} keeps them out of savers, {@code
 * .meta} graphs and collections built later on the same graph. Thread-safe.
 */
final class ShadowSnapshots {
  static final String SCOPE = "beamtrain_async_snapshot";

  private final String assignAll;
  private final String prefixName;
  private final String saveName;
  /** One permit: the shadows hold no unwritten capture. */
  private final Semaphore free = new Semaphore(1);

  private ShadowSnapshots(String assignAll, String prefixName, String saveName) {
    this.assignAll = assignAll;
    this.prefixName = prefixName;
    this.saveName = saveName;
  }

  /** Whether {@code opName} is an op of some manager's shadows. */
  static boolean isShadowOp(String opName) {
    return opName.startsWith(SCOPE);
  }

  /** Adds the shadows, assigns and save of {@code variables} (a {@link SaverGraph}'s) to {@code graph}. */
  static ShadowSnapshots build(Graph graph, List<SavedVariable> variables) {
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("no variables to snapshot");
    }
    String scope = freeScope(graph);
    GraphOperationBuilder group = graph.opBuilder("NoOp", scope + "/assign_all", graph.baseScope());
    Output<?>[] shadows = new Output<?>[variables.size()];
    for (int i = 0; i < variables.size(); i++) {
      SavedVariable v = variables.get(i);
      GraphOperation shadow =
          graph
              .opBuilder("VariableV2", scope + "/shadow_" + i, graph.baseScope())
              .setAttr("dtype", v.dtype())
              .setAttr("shape", v.shape())
              .build();
      shadows[i] = shadow.output(0);
      group.addControlInput(
          graph
              .opBuilder("Assign", scope + "/assign_" + i, graph.baseScope())
              .addInput(shadow.output(0))
              .addInput(graph.outputOrThrow(v.valueTensorName()))
              .setAttr("T", v.dtype())
              // A variable created with validate_shape=false may change shape: follow it.
              .setAttr("validate_shape", false)
              .setAttr("use_locking", true)
              .build());
    }
    GraphOperation assignAll = group.build();
    Output<?> prefix =
        graph
            .opBuilder("Placeholder", scope + "/prefix", graph.baseScope())
            .setAttr("dtype", DataType.DT_STRING)
            .setAttr("shape", Shape.scalar())
            .build()
            .output(0);
    String[] names = variables.stream().map(SavedVariable::name).toArray(String[]::new);
    String[] slices = new String[names.length];
    Arrays.fill(slices, "");
    GraphOperation save =
        graph
            .opBuilder("SaveV2", scope + "/SaveV2", graph.baseScope())
            .addInput(prefix)
            .addInput(stringConst(graph, scope + "/tensor_names", names))
            .addInput(stringConst(graph, scope + "/shape_and_slices", slices))
            .addInputList(shadows)
            .setAttr("dtypes", variables.stream().map(SavedVariable::dtype).toArray(DataType[]::new))
            .build();
    return new ShadowSnapshots(assignAll.name(), prefix.op().name(), save.name());
  }

  /**
   * Copies every variable of {@code session} into its shadow, first waiting until the previous
   * capture is written. The caller must hand the capture on to exactly one {@link #write} or
   * {@link #release}.
   *
   * @throws CheckpointException if interrupted while waiting
   */
  void capture(Session session) {
    try {
      free.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointException("interrupted while waiting for the previous snapshot to be written", e);
    }
    try {
      session.runner().addTarget(assignAll).run().close();
    } catch (RuntimeException | Error e) {
      free.release();
      throw e;
    }
  }

  /**
   * Writes the captured shadows of {@code session} as a V2 checkpoint at {@code localPrefix}
   * (creating its local parent directory). Does not release the capture.
   */
  void write(Session session, String localPrefix) {
    Path parent = Paths.get(localPrefix).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create local checkpoint directory " + parent, e);
    }
    try (TString prefix = TString.scalarOf(localPrefix)) {
      session.runner().feed(prefixName, prefix).addTarget(saveName).run().close();
    }
  }

  /** Lets the next {@link #capture} overwrite the shadows. */
  void release() {
    free.release();
  }

  private static Output<?> stringConst(Graph graph, String name, String[] values) {
    try (TString value = TString.vectorOf(values)) {
      return graph
          .opBuilder("Const", name, graph.baseScope())
          .setAttr("value", value)
          .setAttr("dtype", DataType.DT_STRING)
          .build()
          .output(0);
    }
  }

  private static String freeScope(Graph graph) {
    for (int i = 0; ; i++) {
      String scope = i == 0 ? SCOPE : SCOPE + "_" + i;
      if (!hasOpUnder(graph, scope)) {
        return scope;
      }
    }
  }

  private static boolean hasOpUnder(Graph graph, String scope) {
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      String name = it.next().name();
      if (name.equals(scope) || name.startsWith(scope + "/")) {
        return true;
      }
    }
    return false;
  }
}
