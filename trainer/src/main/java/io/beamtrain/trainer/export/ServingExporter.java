package io.beamtrain.trainer.export;

import io.beamtrain.checkpointing.CheckpointException;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.CheckpointManagerOptions;
import io.beamtrain.checkpointing.GraphCollections;
import io.beamtrain.checkpointing.MetaGraphs;
import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.checkpointing.SavedModels;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.NativeTensorFlow;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.GraphTransform;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.model.ClassificationHead;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.model.Network;
import io.beamtrain.trainer.serving.ServingModel;
import io.beamtrain.trainer.train.LocalCheckpointCopy;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * Exports a trained trial as a serving model: raw feature columns in (one placeholder per column,
 * named as the column), the transform of {@code transform.json} in the graph ({@link
 * GraphTransform}: z-score, vocabulary one-hot with OOV), the trial's network with the same
 * variable names as in training, and the outputs of DESIGN.md: {@code class} ({@code DT_STRING},
 * the label value) and {@code probabilities} ({@code [-1, K]}) for classification, {@code
 * prediction} ({@code [-1]}, target units) for regression, under signature {@code
 * serving_default}.
 *
 * <p>Writes under {@code targetDir} (local or {@code gs://}): {@code model.meta} (the serving
 * meta-graph with its saver and signature), {@code model.ckpt-<step>.*} and {@code checkpoint}
 * (only the model's weights, no optimizer slots), and {@code saved_model/} (tag {@code serve}).
 * TensorFlow only reads and writes local temporary copies. Stateless and thread-safe.
 */
public final class ServingExporter {
  public static final String META_FILE = "model.meta";
  public static final String SAVED_MODEL_DIR = "saved_model";

  private static final Logger LOG = LoggerFactory.getLogger(ServingExporter.class);
  private static final Pattern STEP = Pattern.compile(".*-(\\d+)$");
  private static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private ServingExporter() {}

  /**
   * Builds the serving graph for the data of {@code dataDir} and the trial's {@code params},
   * restores {@code checkpointPrefix} (a trial checkpoint, e.g. {@code .../model.ckpt-600}) into
   * it and writes the export. Bad params, a missing checkpoint or one of another architecture are
   * a BadInputException naming them.
   */
  public static void export(
      String dataDir,
      Map<String, Object> params,
      String checkpointPrefix,
      String targetDir,
      StorageConfig config) {
    NativeTensorFlow.requireSingleCopy();
    TransformSpec transform = ExampleDataset.open(dataDir, config).spec();
    ModelSpec spec;
    try {
      spec = ModelSpec.of(HyperParameters.parse(params), transform);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    long step = stepOf(checkpointPrefix);
    try (Graph graph = new Graph()) {
      SignatureDef signature = build(graph, transform, spec);
      SaverGraph saver = SaverGraph.build(graph);
      try (Session session = new Session(graph)) {
        restore(saver, session, checkpointPrefix, config);
        // The serving graph has no optimizer: its variables are exactly the network's weights.
        GraphCollections collections = GraphCollections.allTrainable();
        Storages.forPath(targetDir, config)
            .writeBytes(
                StoragePaths.join(targetDir, META_FILE),
                MetaGraphs.toBytes(
                    graph, saver.saverDef(), Map.of(ServingModel.SIGNATURE, signature), collections));
        try (CheckpointManager checkpoints =
            CheckpointManager.open(
                targetDir,
                saver,
                graph,
                collections,
                CheckpointManagerOptions.builder().maxToKeep(1).build(),
                config)) {
          checkpoints.save(session, step, Map.of());
        }
        SavedModels.export(
            session,
            graph,
            Map.of(ServingModel.SIGNATURE, signature),
            StoragePaths.join(targetDir, SAVED_MODEL_DIR),
            config);
      }
    }
    LOG.info("exported {} (step {}) to {}", checkpointPrefix, step, targetDir);
  }

  /** Adds transform, network and outputs to {@code graph}; returns the serving signature. */
  static SignatureDef build(Graph graph, TransformSpec transform, ModelSpec spec) {
    Ops tf = Ops.create(graph);
    GraphTransform.Applied applied = GraphTransform.apply(tf, transform);
    // Initial values are irrelevant: every variable is restored from the checkpoint.
    Network network = spec.createNetwork(tf, 0);
    Operand<TFloat32> logits = network.logits(tf, applied.dense(), null);
    SignatureDef.Builder signature = SignatureDef.newBuilder().setMethodName(PREDICT_METHOD);
    applied.inputs().forEach((column, placeholder) -> signature.putInputs(column, info(placeholder.output())));
    if (spec.head() instanceof ClassificationHead head) {
      Operand<TFloat32> probabilities =
          tf.withName(ServingModel.PROBABILITIES_OUTPUT).identity(head.output(tf, logits));
      Operand<TInt32> best = tf.math.argMax(probabilities, tf.constant(1), TInt32.class);
      Operand<TString> classes =
          tf.constant(NdArrays.vectorOfObjects(head.classes().toArray(String[]::new)));
      Operand<TString> label =
          tf.withName(ServingModel.CLASS_OUTPUT).gather(classes, best, tf.constant(0));
      signature.putOutputs(ServingModel.CLASS_OUTPUT, info(label.asOutput()));
      signature.putOutputs(ServingModel.PROBABILITIES_OUTPUT, info(probabilities.asOutput()));
    } else {
      Operand<TFloat32> prediction =
          tf.withName(ServingModel.PREDICTION_OUTPUT).identity(spec.head().output(tf, logits));
      signature.putOutputs(ServingModel.PREDICTION_OUTPUT, info(prediction.asOutput()));
    }
    return signature.build();
  }

  static void restore(
      SaverGraph saver, Session session, String checkpointPrefix, StorageConfig config) {
    try (LocalCheckpointCopy local = LocalCheckpointCopy.of(checkpointPrefix, config)) {
      saver.restore(session, local.localPrefix());
    } catch (CheckpointException | TensorFlowException | IllegalArgumentException e) {
      // SaverGraph reports TensorFlow's errors (a missing key, a shape mismatch, a damaged file)
      // as a CheckpointException naming the files.
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new BadInputException(
          "cannot restore " + checkpointPrefix + " into the serving graph of these params: " + message,
          e);
    }
  }

  /** The step of a {@code <basename>-<step>} checkpoint prefix. */
  static long stepOf(String checkpointPrefix) {
    Matcher m = STEP.matcher(StoragePaths.fileName(checkpointPrefix));
    if (!m.matches()) {
      throw new BadInputException(
          "checkpoint prefix " + checkpointPrefix + " does not end in -<step> (like model.ckpt-600)");
    }
    return Long.parseLong(m.group(1));
  }

  private static TensorInfo info(Output<?> output) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    Shape s = output.shape();
    if (s.isUnknown()) {
      shape.setUnknownRank(true);
    } else {
      for (int i = 0; i < s.numDimensions(); i++) {
        shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(s.get(i)));
      }
    }
    return TensorInfo.newBuilder()
        .setName(output.op().name() + ":" + output.index())
        .setDtype(output.dataType())
        .setTensorShape(shape)
        .build();
  }
}
