package io.beamtrain.checkpointing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The save/restore subgraph of a TensorFlow graph, named as Python's {@code
 * tf.compat.v1.train.Saver} names it, and the two operations on it.
 *
 * <p>TF Java 1.1.0 keeps {@code Graph.saverDef()} package-private, so {@link #build(Graph)} adds
 * the ops itself, for every variable in the graph at that moment: reference variables ({@code
 * VariableV2}, what {@code Ops.variable(...)} and the framework optimizers create) and resource
 * variables ({@code VarHandleOp}). The ops, inside a {@code save} name scope ({@code save_1}, ...
 * when {@code save} is taken, as Python does):
 *
 * <pre>
 *   save/filename/input  Const "model"            save/SaveV2/tensor_names, shape_and_slices
 *   save/filename        PlaceholderWithDefault   save/SaveV2              SaveV2 (all variables)
 *   save/Const           PlaceholderWithDefault   save/control_dependency  Identity(save/Const) after SaveV2
 *   save/RestoreV2       RestoreV2                save/Assign, save/Assign_1, ... (AssignVariableOp for
 *   save/restore_all     NoOp after every assign                           resource variables)
 *   save/ReadVariableOp  value of a resource variable (one per resource variable)
 * </pre>
 *
 * Variables are keyed in the checkpoint by their op name, sorted, like Python. The resulting
 * {@link #saverDef()} (format V2) is what a {@code .meta} file carries, so Python's {@code
 * import_meta_graph} and {@link MetaGraphs#importAndRestore} can restore without model code.
 *
 * <p>Build it after every variable exists (including optimizer slots, which the optimizer creates
 * in {@code minimize}); variables added later are not saved. TensorFlow reads and writes local
 * paths only here: callers stage files locally and move them through {@code Storage}.
 *
 * <p>Thread-safety: immutable after {@code build}; {@code save}/{@code restore} may be called from
 * any thread, and TensorFlow serialises them with the session's other runs as it sees fit.
 */
public final class SaverGraph {
  /** Python's {@code Saver} defaults, written into the {@link SaverDef}. */
  public static final int DEFAULT_MAX_TO_KEEP = 5;

  public static final float DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS = 10000.0f;

  private static final String SCOPE = "save";
  private static final String DEFAULT_FILENAME = "model";

  private final Graph graph;
  private final SaverDef saverDef;
  private final List<SavedVariable> variables;

  private SaverGraph(Graph graph, SaverDef saverDef, List<SavedVariable> variables) {
    this.graph = graph;
    this.saverDef = saverDef;
    this.variables = List.copyOf(variables);
  }

  /**
   * Adds the save/restore subgraph for all variables now in {@code graph}.
   *
   * @throws IllegalStateException if the graph has no variables (Python: "No variables to save")
   */
  public static SaverGraph build(Graph graph) {
    List<GraphOperation> variableOps = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      // An async CheckpointManager's shadows (ShadowSnapshots) are copies, not model state.
      if (SavedVariable.isVariable(op) && !ShadowSnapshots.isShadowOp(op.name())) {
        variableOps.add(op);
      }
    }
    if (variableOps.isEmpty()) {
      throw new IllegalStateException("No variables to save: the graph has no VariableV2 or VarHandleOp");
    }
    variableOps.sort(Comparator.comparing(GraphOperation::name));
    return new Builder(graph, freeScope(graph)).build(variableOps);
  }

  /**
   * Wraps a save/restore subgraph that already exists in {@code graph}, e.g. one imported from a
   * {@code .meta} file, described by its {@code saverDef}. {@link #variables()} is empty then: the
   * variables are only reachable through the saver's own ops.
   */
  public static SaverGraph fromSaverDef(Graph graph, SaverDef saverDef) {
    requireOp(graph, opName(saverDef.getFilenameTensorName()), "filename_tensor_name");
    requireOp(graph, opName(saverDef.getSaveTensorName()), "save_tensor_name");
    requireOp(graph, saverDef.getRestoreOpName(), "restore_op_name");
    return new SaverGraph(graph, saverDef, List.of());
  }

  /** Version V2, Python's default names and retention fields ({@value #DEFAULT_MAX_TO_KEEP}, 10000 h). */
  public SaverDef saverDef() {
    return saverDef;
  }

  /** The saved variables in checkpoint-key order; empty for a saver wrapped by {@link #fromSaverDef}. */
  public List<SavedVariable> variables() {
    return variables;
  }

  public Graph graph() {
    return graph;
  }

  /**
   * Writes the variables of {@code session} to {@code localPrefix.index} and {@code
   * localPrefix.data-00000-of-00001}, creating the local parent directory.
   */
  public void save(Session session, String localPrefix) {
    checkSession(session);
    createParent(localPrefix);
    try (TString filename = TString.scalarOf(localPrefix);
        Result unused =
            session
                .runner()
                .feed(saverDef.getFilenameTensorName(), filename)
                .fetch(saverDef.getSaveTensorName())
                .run()) {
      // The fetched tensor is the prefix itself; fetching it (rather than targeting) is how
      // Python's Saver.save runs the save op.
    }
  }

  /**
   * Assigns every saved variable of {@code session} from the checkpoint at local {@code
   * localPrefix}. Counts as the session's initialization, so the graph's initializers will not
   * later overwrite the restored values.
   *
   * @throws CheckpointException naming the checkpoint's files when TensorFlow cannot read them
   *     (truncated or garbage {@code .index} or data shard, a missing shard, a key or shape the
   *     graph does not have); the variables are then left as they were, or initialised
   */
  public void restore(Session session, String localPrefix) {
    restore(session, localPrefix, localPrefix);
  }

  /**
   * As {@link #restore(Session, String)}, for a local copy of the checkpoint at {@code
   * sourcePrefix} (e.g. a {@code gs://} one), which the error messages name.
   */
  void restore(Session session, String localPrefix, String sourcePrefix) {
    checkSession(session);
    if (!Files.exists(Paths.get(localPrefix + ".index"))) {
      throw new CheckpointException("no checkpoint index at " + sourcePrefix + ".index");
    }
    try {
      runRestore(session, localPrefix);
    } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
      // TensorFlow's message ("Read less bytes than requested", "not an sstable (bad magic
      // number)", "Checksum does not match") names neither the checkpoint nor the file.
      throw new CheckpointException(
          "checkpoint " + sourcePrefix + " cannot be restored from "
              + String.join(", ", tensorFlowFiles(localPrefix, sourcePrefix)) + ": " + firstLine(e),
          e);
    }
  }

  private void runRestore(Session session, String localPrefix) {
    if (usesTensorFlowJavaNames()) {
      // Session.restore runs the graph's saver (found by the "save/" names TF Java shares with
      // Python) without first running the initializers, and marks them as run -- only once the
      // restore op succeeded.
      session.restore(localPrefix);
      return;
    }
    // The restore op reads every tensor (RestoreV2) before any assignment runs, so a damaged
    // file leaves the variables at their initial values.
    session.initialize();
    try (TString filename = TString.scalarOf(localPrefix)) {
      session
          .runner()
          .feed(saverDef.getFilenameTensorName(), filename)
          .addTarget(saverDef.getRestoreOpName())
          .run()
          .close();
    }
  }

  /** The checkpoint's {@code .index} and data shards (local names mapped to {@code sourcePrefix}). */
  private static List<String> tensorFlowFiles(String localPrefix, String sourcePrefix) {
    Path local = Paths.get(localPrefix).toAbsolutePath();
    String name = local.getFileName().toString();
    List<String> files = new ArrayList<>();
    files.add(sourcePrefix + ".index");
    try (Stream<Path> siblings = Files.list(local.getParent())) {
      siblings
          .map(p -> p.getFileName().toString())
          .filter(f -> f.startsWith(name + ".data-"))
          .sorted()
          .forEach(f -> files.add(sourcePrefix + f.substring(name.length())));
    } catch (IOException e) {
      // Only the message loses the shard names; the restore error itself is what matters.
      files.add(sourcePrefix + ".data-*");
    }
    return files;
  }

  private static String firstLine(RuntimeException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.strip().lines().findFirst().orElse(message);
  }

  /**
   * Copies the current value of every variable out of {@code session} into tensors owned by the
   * returned snapshot, so training may continue while the snapshot is written (see {@link
   * SnapshotWriter}). Costs one memory copy of the variables.
   */
  public VariableSnapshot snapshot(Session session) {
    return snapshot(session, SnapshotBuffers.unpooled());
  }

  /** As {@link #snapshot(Session)}, copying into (and later returning) buffers of {@code pool}. */
  VariableSnapshot snapshot(Session session, SnapshotBuffers pool) {
    checkSession(session);
    if (variables.isEmpty()) {
      throw new IllegalStateException("a saver imported from a SaverDef cannot take snapshots");
    }
    Session.Runner runner = session.runner();
    for (SavedVariable v : variables) {
      runner.fetch(v.valueTensorName());
    }
    List<Tensor> copies = new ArrayList<>(variables.size());
    // A fetched reference variable shares the variable's buffer, which the next training step
    // updates in place: copy before returning, and close the fetched tensors.
    try (Result fetched = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        Class<? extends TType> type = graph.outputOrThrow(variables.get(i).valueTensorName()).type();
        copies.add(pool.copyOf(i, fetched.get(i), type));
      }
    } catch (RuntimeException e) {
      pool.release(copies);
      throw e;
    }
    return new VariableSnapshot(variables, copies, pool::release);
  }

  private boolean usesTensorFlowJavaNames() {
    // Graph.saverDef() (used by Session.restore and the SavedModel exporter) looks up exactly
    // these names; our save/filename is upstream of save/Const, so feeding it is equivalent.
    return saverDef.getRestoreOpName().equals(SCOPE + "/restore_all")
        && graph.operation(SCOPE + "/filename") != null
        && saverDef.getFilenameTensorName().equals(SCOPE + "/Const:0");
  }

  private void checkSession(Session session) {
    if (session.graph() != graph) {
      throw new IllegalArgumentException("the session runs a different graph than this saver's");
    }
  }

  private static void createParent(String localPrefix) {
    Path parent = Paths.get(localPrefix).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create local checkpoint directory " + parent, e);
    }
  }

  private static String freeScope(Graph graph) {
    return freeScope(graph, SCOPE);
  }

  /** {@code base}, or {@code base_<i>} for the first i whose name no op of {@code graph} uses yet. */
  static String freeScope(Graph graph, String base) {
    for (int i = 0; ; i++) {
      String scope = i == 0 ? base : base + "_" + i;
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

  private static void requireOp(Graph graph, String name, String field) {
    if (graph.operation(name) == null) {
      throw new IllegalArgumentException(
          "saver_def." + field + " names op '" + name + "', which the graph does not contain");
    }
  }

  static String opName(String tensorName) {
    int colon = tensorName.lastIndexOf(':');
    return colon < 0 ? tensorName : tensorName.substring(0, colon);
  }

  /** Adds the ops of one saver scope; one instance per build. */
  private static final class Builder {
    private final Graph graph;
    private final String scope;

    Builder(Graph graph, String scope) {
      this.graph = graph;
      this.scope = scope;
    }

    SaverGraph build(List<GraphOperation> variableOps) {
      Output<?> filenameInput = stringConst("filename/input", TString.scalarOf(DEFAULT_FILENAME));
      Output<?> filename = placeholderWithDefault("filename", filenameInput);
      // Python keeps the name "Const" for the fed filename tensor for backwards compatibility.
      Output<?> filenameTensor = placeholderWithDefault("Const", filename);

      List<SavedVariable> variables = new ArrayList<>();
      List<Output<?>> values = new ArrayList<>();
      int reads = 0;
      for (GraphOperation op : variableOps) {
        DataType dtype = op.attributes().getAttrType("dtype");
        Shape shape = op.attributes().getAttrShape("shape");
        Output<?> value;
        if (op.type().equals("VarHandleOp")) {
          String readName = reads == 0 ? "ReadVariableOp" : "ReadVariableOp_" + reads;
          reads++;
          value =
              graph
                  .opBuilder("ReadVariableOp", scoped(readName), graph.baseScope())
                  .addInput(op.output(0))
                  .setAttr("dtype", dtype)
                  .build()
                  .output(0);
        } else {
          value = op.output(0);
        }
        values.add(value);
        variables.add(
            new SavedVariable(op.name(), op.type(), dtype, shape, op.output(0).name(), value.name()));
      }

      String[] names = variables.stream().map(SavedVariable::name).toArray(String[]::new);
      String[] slices = new String[names.length];
      java.util.Arrays.fill(slices, "");
      DataType[] dtypes = variables.stream().map(SavedVariable::dtype).toArray(DataType[]::new);

      Output<?> saveNames = stringConst("SaveV2/tensor_names", TString.vectorOf(names));
      Output<?> saveSlices = stringConst("SaveV2/shape_and_slices", TString.vectorOf(slices));
      GraphOperation saveV2 =
          graph
              .opBuilder("SaveV2", scoped("SaveV2"), graph.baseScope())
              .addInput(filenameTensor)
              .addInput(saveNames)
              .addInput(saveSlices)
              .addInputList(values.toArray(new Output<?>[0]))
              .setAttr("dtypes", dtypes)
              .build();
      GraphOperation controlDependency =
          graph
              .opBuilder("Identity", scoped("control_dependency"), graph.baseScope())
              .addInput(filenameTensor)
              .addControlInput(saveV2)
              .setAttr("T", DataType.DT_STRING)
              .build();

      Output<?> restoreNames = stringConst("RestoreV2/tensor_names", TString.vectorOf(names));
      Output<?> restoreSlices = stringConst("RestoreV2/shape_and_slices", TString.vectorOf(slices));
      GraphOperation restoreV2 =
          graph
              .opBuilder("RestoreV2", scoped("RestoreV2"), graph.baseScope())
              .addInput(filenameTensor)
              .addInput(restoreNames)
              .addInput(restoreSlices)
              .setAttr("dtypes", dtypes)
              .build();
      Output<?>[] restored = restoreV2.outputList(0, names.length);

      List<GraphOperation> assigns = new ArrayList<>();
      int refAssigns = 0;
      int resourceAssigns = 0;
      for (int i = 0; i < variableOps.size(); i++) {
        GraphOperation op = variableOps.get(i);
        SavedVariable v = variables.get(i);
        if (op.type().equals("VarHandleOp")) {
          String name = resourceAssigns == 0 ? "AssignVariableOp" : "AssignVariableOp_" + resourceAssigns;
          resourceAssigns++;
          assigns.add(
              graph
                  .opBuilder("AssignVariableOp", scoped(name), graph.baseScope())
                  .addInput(op.output(0))
                  .addInput(restored[i])
                  .setAttr("dtype", v.dtype())
                  .build());
        } else {
          String name = refAssigns == 0 ? "Assign" : "Assign_" + refAssigns;
          refAssigns++;
          assigns.add(
              graph
                  .opBuilder("Assign", scoped(name), graph.baseScope())
                  .addInput(op.output(0))
                  .addInput(restored[i])
                  .setAttr("T", v.dtype())
                  .setAttr("validate_shape", isFullyDefined(v.shape()))
                  .setAttr("use_locking", true)
                  .build());
        }
      }
      var restoreAll = graph.opBuilder("NoOp", scoped("restore_all"), graph.baseScope());
      assigns.forEach(restoreAll::addControlInput);
      GraphOperation restoreAllOp = restoreAll.build();

      SaverDef def =
          SaverDef.newBuilder()
              .setFilenameTensorName(filenameTensor.name())
              .setSaveTensorName(controlDependency.name() + ":0")
              .setRestoreOpName(restoreAllOp.name())
              .setMaxToKeep(DEFAULT_MAX_TO_KEEP)
              .setSharded(false)
              .setKeepCheckpointEveryNHours(DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS)
              .setVersion(SaverDef.CheckpointFormatVersion.V2)
              .build();
      return new SaverGraph(graph, def, variables);
    }

    private Output<?> stringConst(String name, TString value) {
      try (value) {
        return graph
            .opBuilder("Const", scoped(name), graph.baseScope())
            .setAttr("value", value)
            .setAttr("dtype", DataType.DT_STRING)
            .build()
            .output(0);
      }
    }

    private Output<?> placeholderWithDefault(String name, Output<?> input) {
      return graph
          .opBuilder("PlaceholderWithDefault", scoped(name), graph.baseScope())
          .addInput(input)
          .setAttr("dtype", DataType.DT_STRING)
          .setAttr("shape", Shape.scalar())
          .build()
          .output(0);
    }

    private String scoped(String name) {
      return scope + "/" + name;
    }

    private static boolean isFullyDefined(Shape shape) {
      return !shape.isUnknown() && !shape.hasUnknownDimension();
    }
  }

  /**
   * One variable the saver writes.
   *
   * @param name checkpoint key (the variable op's name)
   * @param opType {@code VariableV2} or {@code VarHandleOp}
   * @param dtype element type
   * @param shape declared shape
   * @param variableTensorName the variable op's output (a ref or a resource handle)
   * @param valueTensorName a tensor holding the variable's value (the ref itself, or a read)
   */
  public record SavedVariable(
      String name,
      String opType,
      DataType dtype,
      Shape shape,
      String variableTensorName,
      String valueTensorName) {
    public SavedVariable {
      Objects.requireNonNull(name, "name");
    }

    static boolean isVariable(GraphOperation op) {
      String type = op.type();
      return type.equals("VariableV2") || type.equals("Variable") || type.equals("VarHandleOp");
    }
  }
}
