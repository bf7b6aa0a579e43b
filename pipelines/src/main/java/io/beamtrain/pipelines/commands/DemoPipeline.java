package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.preprocess.CsvTableReader;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Description;

/**
 * {@code beamtrain demo}: {@code train} on the bundled Palmer penguins data (344 rows, label
 * {@code species}, three classes, some missing cells), then scores one sample row of each species
 * with the exported SavedModel, the label removed, to show the model takes raw rows.
 */
public final class DemoPipeline {
  /** The bundled data (CC0). */
  public static final String PENGUINS_RESOURCE = "io/beamtrain/pipelines/demo/penguins.csv";
  public static final String LABEL = "species";
  public static final String DEFAULT_OUTPUT = "beamtrain-out/demo";

  private DemoPipeline() {}

  /** Flags of {@code demo}: where to write, and the study overrides of {@code sweep}. */
  public interface Options extends StudyOptions, StorageOptions {
    // No @Default here: Beam wants one on every interface declaring the property, and train's
    // --output (which demo's options become) is required; the default is applied in run().
    @Description("Output directory, local or gs://bucket/prefix. Default: " + DEFAULT_OUTPUT + ".")
    String getOutput();

    void setOutput(String output);
  }

  /** Runs the demo and returns its summary. */
  public static String run(Options options) {
    String given = options.getOutput() != null ? options.getOutput() : DEFAULT_OUTPUT;
    String output = StoragePaths.isGcs(given)
        ? given
        : Path.of(given).toAbsolutePath().normalize().toString();
    StorageConfig storage = PipelineStorage.config(options);
    String csv = penguinsCsv();
    String input = StoragePaths.join(output, "input", "penguins.csv");
    Storages.forPath(input, storage).writeBytes(input, csv.getBytes(StandardCharsets.UTF_8));

    TrainPipeline.Options train = options.as(TrainPipeline.Options.class);
    train.setOutput(output);
    train.setInput(input);
    train.setLabel(LABEL);
    SweepOutcome outcome = TrainPipeline.run(train);

    OutputLayout layout = new OutputLayout(output);
    StringBuilder out = new StringBuilder();
    out.append("demo: penguins (label ").append(LABEL).append(") from ").append(input).append('\n');
    out.append(outcome.summary()).append('\n');
    out.append("sample predictions (the label removed before scoring):\n");
    List<Map<String, String>> samples = onePerClass(csv);
    try (ServingModel model = ServingModel.load(layout.savedModel(), storage)) {
      List<Map<String, String>> features = new ArrayList<>();
      for (Map<String, String> row : samples) {
        Map<String, String> copy = new LinkedHashMap<>(row);
        copy.remove(LABEL);
        features.add(copy);
      }
      List<Prediction> predictions = model.predict(features);
      for (int i = 0; i < samples.size(); i++) {
        Prediction p = predictions.get(i);
        out.append(String.format(Locale.ROOT, "  %s -> %s (p=%.3f), actual %s%n",
            features.get(i), p.classLabel(), max(p.probabilities()), samples.get(i).get(LABEL)));
      }
    }
    out.append("score more rows: ./beamtrain predict --model=").append(layout.best())
        .append(" --input=").append(input)
        .append(" --predictions=").append(StoragePaths.join(output, "predictions", "penguins"));
    return out.toString();
  }

  static String penguinsCsv() {
    try (InputStream in = DemoPipeline.class.getClassLoader().getResourceAsStream(PENGUINS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + PENGUINS_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first complete row of each class, in order of appearance. */
  static List<Map<String, String>> onePerClass(String csv) {
    Map<String, Map<String, String>> byClass = new LinkedHashMap<>();
    try (CsvTableReader reader = CsvTableReader.allColumns("penguins.csv", new StringReader(csv))) {
      List<String> columns = reader.columns();
      while (reader.next()) {
        String[] values = reader.takeValues();
        Map<String, String> row = new LinkedHashMap<>();
        boolean complete = reader.problem() == null;
        for (int i = 0; i < values.length && complete; i++) {
          complete = values[i] != null;
          row.put(columns.get(i), values[i]);
        }
        if (complete) {
          byClass.putIfAbsent(row.get(LABEL), row);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrayList<>(byClass.values());
  }

  private static float max(float[] values) {
    float best = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      best = Math.max(best, v);
    }
    return best;
  }
}
