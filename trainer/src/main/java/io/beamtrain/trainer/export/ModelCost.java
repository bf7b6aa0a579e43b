package io.beamtrain.trainer.export;

import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Measures what a trained trial costs to serve, the {@link ModelMetrics}: its trainable parameter
 * count and the median latency of scoring one row through the serving signature. It builds the
 * very graph {@link ServingExporter} exports (transform, network, outputs), restores the trial's
 * checkpoint into it in memory -- nothing is written -- and times {@value #TIMED_RUNS} runs of
 * one row after {@value #WARMUP_RUNS} warm-up runs, in a session configured as the trial's, so every
 * trial of a study is measured the same way. The row is the same for every trial (0 for numeric columns, "" for
 * categorical ones): the graph does the same work whatever the values. Stateless, thread-safe.
 */
public final class ModelCost {
  static final int WARMUP_RUNS = 5;
  static final int TIMED_RUNS = 21;

  private ModelCost() {}

  /**
   * The model metrics of the trial with {@code params} trained on {@code dataDir}, restored from
   * {@code checkpointPrefix}: name to value.
   *
   * @param session the session config to score with: the trial's own (same thread counts), so
   *     the measurement neither sizes TensorFlow's process-wide pool nor runs on another one
   */
  public static Map<String, Double> measure(
      String dataDir, Map<String, Object> params, String checkpointPrefix, StorageConfig config,
      ConfigProto session) {
    TransformSpec transform = ExampleDataset.open(dataDir, config).spec();
    ModelSpec spec;
    try {
      spec = ModelSpec.of(HyperParameters.parse(params), transform);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    try (Graph graph = new Graph()) {
      SignatureDef signature = ServingExporter.build(graph, transform, spec);
      SaverGraph saver = SaverGraph.build(graph);
      try (Session scoring = new Session(graph, session)) {
        ServingExporter.restore(saver, scoring, checkpointPrefix, config);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(ModelMetrics.MODEL_PARAMS, (double) parameterCount(saver));
        metrics.put(ModelMetrics.SERVING_LATENCY_MS, medianLatencyMs(scoring, signature));
        return metrics;
      }
    }
  }

  /** Elements of every variable of the serving graph, which holds exactly the network's weights. */
  static long parameterCount(SaverGraph saver) {
    long count = 0;
    for (SaverGraph.SavedVariable v : saver.variables()) {
      count += v.shape().size();
    }
    return count;
  }

  private static double medianLatencyMs(Session session, SignatureDef signature) {
    double[] millis = new double[TIMED_RUNS];
    for (int run = -WARMUP_RUNS; run < TIMED_RUNS; run++) {
      long start = System.nanoTime();
      scoreOneRow(session, signature);
      if (run >= 0) {
        millis[run] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    return millis[TIMED_RUNS / 2];
  }

  /** One call of the signature, as a server answers a request: one row in, every output out. */
  private static void scoreOneRow(Session session, SignatureDef signature) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (TensorInfo input : signature.getInputsMap().values()) {
        Tensor t = input.getDtype() == DataType.DT_STRING
            ? TString.vectorOf("")
            : TFloat32.vectorOf(0f);
        feeds.add(t);
        runner.feed(input.getName(), t);
      }
      signature.getOutputsMap().values().forEach(output -> runner.fetch(output.getName()));
      try (Result result = runner.run()) {
        // Only the time counts; closing the result frees its tensors.
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }
}
