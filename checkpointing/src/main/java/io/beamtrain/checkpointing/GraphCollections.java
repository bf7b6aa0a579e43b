package io.beamtrain.checkpointing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.VariableDef;

/**
 * The graph collections a {@code .meta} file carries so that Python can keep training from it,
 * written as {@code tf.compat.v1.train.export_meta_graph} writes them: {@value #VARIABLES} and
 * {@value #TRAINABLE_VARIABLES} (a {@code bytes_list} of serialized {@link VariableDef}s) and
 * {@value #TRAIN_OP} (a {@code node_list} naming the op that runs one training step). After {@code
 * import_meta_graph}, {@code tf.compat.v1.trainable_variables()} lists the model's weights and
 * {@code tf.compat.v1.get_collection("train_op")[0]} trains them.
 *
 * <p>A TF Java graph has no collections, so which variables are trainable (not an optimizer's slot,
 * say) and which op trains is said here, by name; the rest is read off the graph: every {@code
 * VariableV2} / {@code VarHandleOp} is a variable (what {@link SaverGraph#build} saves), its
 * initializer is the graph's initializer op assigning it, and its snapshot (what Python's {@code
 * Variable.value()} returns and differentiates against) is the tensor the graph reads it through:
 * the variable's own output for a reference variable ({@code <name>/read} if the graph has that
 * Python-style Identity), a {@code ReadVariableOp} of it for a resource variable. Immutable.
 */
public final class GraphCollections {
  /** Python's {@code tf.GraphKeys.GLOBAL_VARIABLES}. */
  public static final String VARIABLES = "variables";

  /** Python's {@code tf.GraphKeys.TRAINABLE_VARIABLES}. */
  public static final String TRAINABLE_VARIABLES = "trainable_variables";

  /** Python's {@code tf.GraphKeys.TRAIN_OP}. */
  public static final String TRAIN_OP = "train_op";

  private static final Logger LOG = LoggerFactory.getLogger(GraphCollections.class);

  /** Empty: every variable is trainable. */
  private final Optional<Set<String>> trainable;

  private final Optional<String> trainOp;

  private GraphCollections(Optional<Set<String>> trainable, Optional<String> trainOp) {
    this.trainable = trainable;
    this.trainOp = trainOp;
  }

  /**
   * Every variable trainable and no train op: Python's default for {@code tf.Variable}, and right
   * for a graph without an optimizer (a serving graph).
   */
  public static GraphCollections allTrainable() {
    return new GraphCollections(Optional.empty(), Optional.empty());
  }

  /**
   * The variables named (op names, e.g. {@code dense_0/kernel}) are trainable, the others (optimizer
   * slots, counters) only global; {@code trainOp} names the op of one training step, or null.
   */
  public static GraphCollections of(Collection<String> trainableVariables, String trainOp) {
    return new GraphCollections(Optional.of(Set.copyOf(trainableVariables)), Optional.ofNullable(trainOp));
  }

  /**
   * The collection_def entries of a MetaGraphDef for {@code graph}, variables sorted by name.
   *
   * @throws IllegalArgumentException if a trainable variable or the train op is not in the graph
   */
  public Map<String, CollectionDef> toCollectionDefs(Graph graph) {
    List<GraphOperation> variableOps = variableOps(graph);
    Set<String> variableNames = new TreeSet<>();
    variableOps.forEach(op -> variableNames.add(op.name()));
    trainable.ifPresent(names -> names.forEach(name -> {
      if (!variableNames.contains(name)) {
        throw new IllegalArgumentException(
            "trainable variable '" + name + "' is not a variable of the graph (variables: " + variableNames + ")");
      }
    }));
    CollectionDef.BytesList.Builder all = CollectionDef.BytesList.newBuilder();
    CollectionDef.BytesList.Builder trainableList = CollectionDef.BytesList.newBuilder();
    for (GraphOperation op : variableOps) {
      boolean isTrainable = trainable.map(names -> names.contains(op.name())).orElse(true);
      Optional<VariableDef> def = variableDef(graph, op, isTrainable);
      if (def.isEmpty()) {
        // Python's import_meta_graph needs an initializer for every VariableDef; the variable is
        // still saved and restored through the saver_def.
        LOG.warn("variable {} has no initializer in the graph; it is left out of the .meta collections", op.name());
        continue;
      }
      all.addValue(def.get().toByteString());
      if (isTrainable) {
        trainableList.addValue(def.get().toByteString());
      }
    }
    Map<String, CollectionDef> out = new LinkedHashMap<>();
    out.put(VARIABLES, CollectionDef.newBuilder().setBytesList(all).build());
    out.put(TRAINABLE_VARIABLES, CollectionDef.newBuilder().setBytesList(trainableList).build());
    trainOp.ifPresent(name -> {
      if (graph.operation(name) == null) {
        throw new IllegalArgumentException("train op '" + name + "' is not an op of the graph");
      }
      out.put(TRAIN_OP, CollectionDef.newBuilder()
          .setNodeList(CollectionDef.NodeList.newBuilder().addValue(name))
          .build());
    });
    return out;
  }

  /** As Python's {@code RefVariable.to_proto} / {@code ResourceVariable.to_proto}; empty without an initializer. */
  private static Optional<VariableDef> variableDef(Graph graph, GraphOperation variable, boolean trainable) {
    boolean resource = variable.type().equals("VarHandleOp");
    Optional<GraphOperation> initializer =
        initializer(graph, variable, resource ? "AssignVariableOp" : "Assign");
    if (initializer.isEmpty()) {
      return Optional.empty();
    }
    VariableDef.Builder def =
        VariableDef.newBuilder()
            .setVariableName(variable.output(0).name())
            .setInitializerName(initializer.get().name())
            .setInitialValueName(initializer.get().input(1).name())
            .setTrainable(trainable);
    if (resource) {
      def.setIsResource(true);
      read(variable).ifPresent(read -> def.setSnapshotName(read.output(0).name()));
    } else {
      GraphOperation pythonRead = graph.operation(variable.name() + "/read");
      boolean readsThroughIdentity =
          pythonRead != null && pythonRead.type().equals("Identity") && pythonRead.input(0).equals(variable.output(0));
      def.setSnapshotName(readsThroughIdentity ? pythonRead.output(0).name() : variable.output(0).name());
    }
    return Optional.of(def.build());
  }

  /**
   * The initializer op assigning {@code variable}: {@code <name>/Assign} when that is one (as
   * Python and {@code NamedVariables} name it), else the first by name.
   */
  private static Optional<GraphOperation> initializer(Graph graph, GraphOperation variable, String assignType) {
    List<GraphOperation> candidates = new ArrayList<>();
    for (GraphOperation consumer : variable.consumers(0)) {
      if (consumer.type().equals(assignType) && consumer.input(0).equals(variable.output(0))
          && graph.isInitializer(consumer)) {
        candidates.add(consumer);
      }
    }
    return candidates.stream()
        .min(Comparator.comparing((GraphOperation op) -> !op.name().equals(variable.name() + "/Assign"))
            .thenComparing(GraphOperation::name));
  }

  /** A ReadVariableOp of a resource variable: Python's {@code <name>/Read/ReadVariableOp} first. */
  private static Optional<GraphOperation> read(GraphOperation variable) {
    return variable.consumers(0).stream()
        .filter(op -> op.type().equals("ReadVariableOp"))
        .min(Comparator.comparing((GraphOperation op) -> !op.name().equals(variable.name() + "/Read/ReadVariableOp"))
            .thenComparing(GraphOperation::name));
  }

  private static List<GraphOperation> variableOps(Graph graph) {
    List<GraphOperation> ops = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (SaverGraph.SavedVariable.isVariable(op) && !ShadowSnapshots.isShadowOp(op.name())) {
        ops.add(op);
      }
    }
    ops.sort(Comparator.comparing(GraphOperation::name));
    return ops;
  }
}
