package io.beamtrain.checkpointing;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.framework.optimizers.Momentum;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A small real model for checkpoint tests: {@code y = x·w + b + r} with reference variables
 * {@code w}, {@code b} (what {@code Ops.variable} creates), a resource variable {@code r}
 * ({@code VarHandleOp}), trained with Momentum (whose slot variables must be saved too).
 */
final class TestModel implements AutoCloseable {
  static final String INPUT = "x";
  static final String LABEL = "label";
  static final String OUTPUT = "y";
  static final String LOSS = "loss";

  final Graph graph;
  final Session session;
  final SaverGraph saver;
  private final Op train;

  private TestModel(Graph graph, Op train) {
    this.graph = graph;
    this.train = train;
    this.saver = SaverGraph.build(graph);
    this.session = new Session(graph);
  }

  /** A fresh graph and session; variables start at fixed values. */
  static TestModel create() {
    Graph g = new Graph();
    Ops tf = Ops.create(g);
    Placeholder<TFloat32> x =
        tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
    Placeholder<TFloat32> label =
        tf.withName(LABEL).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    Variable<TFloat32> w =
        tf.withName("w").variable(tf.constant(new float[][] {{0.1f}, {-0.2f}, {0.3f}}));
    Variable<TFloat32> b = tf.withName("b").variable(tf.constant(new float[] {0.5f}));
    VarHandleOp r = tf.withName("r").varHandleOp(TFloat32.class, Shape.of(1));
    tf.withInitScope().assignVariableOp(r, tf.constant(new float[] {0.25f}));
    Operand<TFloat32> rValue = tf.readVariableOp(r, TFloat32.class);
    Operand<TFloat32> y =
        tf.withName(OUTPUT).math.add(tf.math.add(tf.linalg.matMul(x, w), b), rValue);
    Operand<TFloat32> loss =
        tf.withName(LOSS).math.mean(tf.math.square(tf.math.sub(y, label)), tf.constant(new int[] {0, 1}));
    // Momentum, not Adam: TF Java's Adam updates beta1_power concurrently with the step that reads it,
    // so two runs of the same step may differ; Momentum is deterministic and still has slots.
    Op train = new Momentum(g, 0.05f, 0.9f).minimize(loss, "train");
    return new TestModel(g, train);
  }

  /** One training step on a fixed batch. */
  void trainStep() {
    try (TFloat32 xs = TFloat32.tensorOf(StdArrays.ndCopyOf(BATCH_X));
        TFloat32 ys = TFloat32.tensorOf(StdArrays.ndCopyOf(BATCH_Y))) {
      session.runner().feed(INPUT, xs).feed(LABEL, ys).addTarget(train).run().close();
    }
  }

  /** The model's output on the fixed batch. */
  float[] predict() {
    return predict(session);
  }

  static float[] predict(Session session) {
    try (TFloat32 xs = TFloat32.tensorOf(StdArrays.ndCopyOf(BATCH_X));
        var result = session.runner().feed(INPUT, xs).fetch(OUTPUT).run()) {
      TFloat32 y = (TFloat32) result.get(0);
      float[] out = new float[(int) y.shape().get(0)];
      for (int i = 0; i < out.length; i++) {
        out[i] = y.getFloat(i, 0);
      }
      return out;
    }
  }

  /** Every saved variable's values, flattened, in checkpoint-key order. */
  List<float[]> variableValues() {
    return variableValues(session, saver);
  }

  static List<float[]> variableValues(Session session, SaverGraph saver) {
    List<float[]> out = new ArrayList<>();
    Session.Runner runner = session.runner();
    saver.variables().forEach(v -> runner.fetch(v.valueTensorName()));
    try (var result = runner.run()) {
      for (int i = 0; i < saver.variables().size(); i++) {
        out.add(flatten(result.get(i)));
      }
    }
    return out;
  }

  static float[] flatten(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.size()];
    f.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private static final float[][] BATCH_X = {{1, 2, 3}, {0, -1, 2}, {4, 0, 1}, {-2, 1, 0}};
  private static final float[][] BATCH_Y = {{1}, {0}, {2}, {-1}};
}
