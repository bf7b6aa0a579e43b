package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * The in-graph snapshot of an async {@link CheckpointManager} ({@link
 * CheckpointManagerOptions.SnapshotMode#IN_GRAPH}): one shadow {@code VariableV2} per saved
 * variable in the training graph and an op group assigning every variable to its shadow.
 *
 * <p>{@link #capture} runs the assigns: one {@code Session.run} on the training thread that
 * copies inside TensorFlow, several variables at once on its thread pools, with no tensor handed
 * to Java (see {@code CheckpointBenchmark} for how it compares with the fetch-and-copy of {@link
 * SaverGraph#snapshot}). The background thread then {@link #fetch}es the shadows (no copy: the
 * fetched tensors share the shadows' buffers) and writes them with a {@link SnapshotWriter} in
 * a session of its own, as the COPY mode does, while training goes on: training never reads or
 * writes the shadows, and the files are those {@link SaverGraph#save} writes at the captured step.
 * The long {@code SaveV2} does not run in the training session, whose inter-op pool may have a
 * single thread (deterministic trials).
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
  private final List<String> shadows;
  /** One permit: the shadows hold no unwritten capture. */
  private final Semaphore free = new Semaphore(1);

  private ShadowSnapshots(String assignAll, List<String> shadows) {
    this.assignAll = assignAll;
    this.shadows = List.copyOf(shadows);
  }

  /** Whether {@code opName} is an op of some manager's shadows. */
  static boolean isShadowOp(String opName) {
    return opName.startsWith(SCOPE);
  }

  /** Adds the shadows and assigns of {@code variables} (a {@link SaverGraph}'s) to {@code graph}. */
  static ShadowSnapshots build(Graph graph, List<SavedVariable> variables) {
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("no variables to snapshot");
    }
    String scope = SaverGraph.freeScope(graph, SCOPE);
    GraphOperationBuilder group = graph.opBuilder("NoOp", scope + "/assign_all", graph.baseScope());
    List<String> shadows = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      SavedVariable v = variables.get(i);
      GraphOperation shadow =
          graph
              .opBuilder("VariableV2", scope + "/shadow_" + i, graph.baseScope())
              .setAttr("dtype", v.dtype())
              .setAttr("shape", v.shape())
              .build();
      shadows.add(shadow.name());
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
    return new ShadowSnapshots(group.build().name(), shadows);
  }

  /**
   * Copies every variable of {@code session} into its shadow, first waiting until the previous
   * capture is written. The caller must hand the capture on to exactly one {@link #release},
   * after the last {@link #fetch} of it is closed.
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
   * The captured shadows of {@code session}, in the saver's variable order. The tensors share the
   * shadows' memory: close them before {@link #release}.
   */
  Result fetch(Session session) {
    Session.Runner runner = session.runner();
    shadows.forEach(runner::fetch);
    return runner.run();
  }

  /** Lets the next {@link #capture} overwrite the shadows. */
  void release() {
    free.release();
  }
}
