package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.preprocess.CsvRecordReader;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test split that no search sees: every fifth CSV record is held out before preprocessing (so
 * not even the statistics of {@code transform.json} saw it), and an exported model is scored on it.
 * For the benchmarks that compare searches by the model they export.
 */
record HeldOutRows(List<Map<String, String>> rows, String label) {

  /** Writes every record but each fifth of {@code csv} to {@code train}; the fifth ones are held out. */
  static HeldOutRows split(Path csv, Path train, String label) {
    List<Map<String, String>> heldOut = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CsvRecordReader records = new CsvRecordReader(in);
        Writer out = Files.newBufferedWriter(Files.createDirectories(train.getParent()).resolve(train.getFileName()))) {
      records.next();
      List<String> header = List.copyOf(records.cells());  // cells() is reused by next()
      out.write(records.rawText() + "\n");
      for (long i = 0; records.next(); i++) {
        if (i % 5 == 4) {
          Map<String, String> row = new LinkedHashMap<>();
          List<String> cells = records.cells();
          for (int c = 0; c < header.size() && c < cells.size(); c++) {
            row.put(header.get(c), cells.get(c));
          }
          heldOut.add(row);
        } else {
          out.write(records.rawText() + "\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Map<String, String>> labelled = heldOut.stream()
        .filter(r -> r.get(label) != null && !r.get(label).isBlank()).toList();
    if (labelled.isEmpty()) {
      throw new IllegalStateException("no held-out row of " + csv + " has a value of " + label);
    }
    return new HeldOutRows(labelled, label);
  }

  /** RMSE of a regression model on the held-out rows (a row without a finite prediction is reported and left out). */
  double rmse(String savedModel) {
    double sum = 0;
    int scored = 0;
    for (Scored s : predict(savedModel)) {
      double error = s.prediction().value() - Double.parseDouble(s.row().get(label));
      if (!Double.isFinite(error)) {
        // Counted and shown rather than hidden: a NaN would otherwise turn the whole figure into NaN.
        System.out.println("  non-finite prediction " + s.prediction() + " for held-out row " + s.row());
        continue;
      }
      sum += error * error;
      scored++;
    }
    if (scored < rows.size()) {
      System.out.printf(Locale.ROOT, "  %d of %d held-out rows had no finite prediction%n", rows.size() - scored,
          rows.size());
    }
    return Math.sqrt(sum / scored);
  }

  /** Accuracy of a classification model on the held-out rows. */
  double accuracy(String savedModel) {
    int right = 0;
    List<Scored> scored = predict(savedModel);
    for (Scored s : scored) {
      right += s.row().get(label).equals(s.prediction().classLabel()) ? 1 : 0;
    }
    return (double) right / scored.size();
  }

  private record Scored(Map<String, String> row, Prediction prediction) {}

  private List<Scored> predict(String savedModel) {
    List<Scored> out = new ArrayList<>();
    try (ServingModel model = ServingModel.load(savedModel, StorageConfig.defaults())) {
      for (int from = 0; from < rows.size(); from += 1024) {
        List<Map<String, String>> batch = rows.subList(from, Math.min(rows.size(), from + 1024));
        List<Prediction> predictions = model.predict(batch);
        for (int i = 0; i < batch.size(); i++) {
          out.add(new Scored(batch.get(i), predictions.get(i)));
        }
      }
    }
    return out;
  }
}
