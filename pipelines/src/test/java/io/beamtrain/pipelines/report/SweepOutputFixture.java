package io.beamtrain.pipelines.report;

import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Writes a realistic sweep output directory for report tests: {@code trials} trials of a penguin
 * classifier (learning_rate on a log range, hidden_units, num_layers, optimizer searched; model and
 * batch_size fixed), with eval_accuracy / eval_loss learning curves every 100 steps. Trial 3
 * diverges (NaN after step 600), trial 5 stops early, trial 8 fails without history; the others
 * complete. Results are serialized by the trainer's own {@link TrialResult#toJson}, so the report
 * reads exactly what the sweep writes.
 */
public final class SweepOutputFixture {
  static final long TRAIN_STEPS = 2000;
  static final long EVAL_EVERY = 100;
  static final int DIVERGED = 3;
  static final int STOPPED = 5;
  static final int FAILED = 8;

  final Path dir;
  final List<TrialResult> results = new ArrayList<>();

  private SweepOutputFixture(Path dir) {
    this.dir = dir;
  }

  /** {@code count} trials, written to results.jsonl (finished sweep) with best.json and exports. */
  public static SweepOutputFixture finished(Path dir, int count) {
    SweepOutputFixture fixture = new SweepOutputFixture(dir);
    fixture.makeTrials(count, Map.of());
    fixture.writeStudy();
    fixture.writeResultsJsonl();
    fixture.writeBest();
    fixture.write("best/model.meta", "meta");
    fixture.write("best/saved_model/saved_model.pb", "pb");
    return fixture;
  }

  /** As {@link #finished}, with extra params on trial 1 (e.g. hostile strings). */
  static SweepOutputFixture finishedWith(Path dir, int count, Map<String, Object> extraParams) {
    SweepOutputFixture fixture = new SweepOutputFixture(dir);
    fixture.makeTrials(count, extraParams);
    fixture.writeResultsJsonl();
    fixture.writeBest();
    return fixture;
  }

  /** A running sweep: only trials/<id>/result.json, no results.jsonl, no best.json. */
  static SweepOutputFixture running(Path dir, int count) {
    SweepOutputFixture fixture = new SweepOutputFixture(dir);
    fixture.makeTrials(count, Map.of());
    for (TrialResult result : fixture.results) {
      fixture.write("trials/" + result.trial() + "/result.json", result.toPrettyJson());
      fixture.write("trials/" + result.trial() + "/model.ckpt-100.index", "x");
    }
    return fixture;
  }

  /**
   * Writes each trial's result.json as well, with the modification time it would have if two
   * workers ran the trials in order from {@code start} (each taking its elapsed_seconds); returns
   * those times by trial id.
   */
  Map<String, Instant> writeTrialFiles(Instant start) {
    Instant[] free = {start, start};
    Map<String, Instant> finished = new LinkedHashMap<>();
    for (TrialResult result : results) {
      int worker = free[0].isAfter(free[1]) ? 1 : 0;
      Instant end = free[worker].plusMillis(Math.round(result.elapsedSeconds() * 1000));
      free[worker] = end;
      String relative = "trials/" + result.trial() + "/result.json";
      write(relative, result.toPrettyJson());
      try {
        Files.setLastModifiedTime(dir.resolve(relative), FileTime.from(end));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      finished.put(result.trial(), end);
    }
    return finished;
  }

  static String trialId(int i) {
    return String.format(Locale.ROOT, "trial-%04d", i);
  }

  TrialResult best() {
    TrialResult best = null;
    for (TrialResult r : results) {
      if (r.status() != TrialStatus.FAILED
          && (best == null || r.metric("eval_accuracy") > best.metric("eval_accuracy"))) {
        best = r;
      }
    }
    return best;
  }

  private void makeTrials(int count, Map<String, Object> extraParams) {
    Random random = new Random(42);
    int[] units = {32, 64, 128};
    for (int i = 0; i < count; i++) {
      Map<String, Object> params = new LinkedHashMap<>();
      double lr = Math.pow(10, -4 + 3 * random.nextDouble());
      params.put("learning_rate", i == DIVERGED ? 0.09 : lr);
      params.put("hidden_units", units[random.nextInt(3)]);
      params.put("num_layers", 1 + random.nextInt(3));
      params.put("optimizer", random.nextBoolean() ? "adam" : "sgd");
      params.put("model", "dnn");
      params.put("batch_size", 64);
      if (i == 1) {
        params.putAll(extraParams);
      }
      String id = trialId(i);
      if (i == FAILED) {
        params.put("dropout", 1.5);
        results.add(TrialResult.failed(id, params, 1000 + i, "bad hyperparameter 'dropout': 1.5 is not in [0, 1) & <1", 0.4));
        continue;
      }
      double learnability = Math.min(1, Math.log10(lr * 1e4) / 3 + 0.2);
      double target = 0.55 + 0.42 * learnability + 0.01 * random.nextGaussian();
      double tau = 150 + 500 * random.nextDouble();
      long lastStep = i == STOPPED ? 1200 : TRAIN_STEPS;
      List<TrialResult.Evaluation> history = new ArrayList<>();
      long bestStep = EVAL_EVERY;
      double bestAcc = -1;
      for (long step = EVAL_EVERY; step <= lastStep; step += EVAL_EVERY) {
        double acc = target - (target - 0.35) * Math.exp(-step / tau) + 0.006 * random.nextGaussian();
        double loss = 1.1 * (1 - acc) + 0.05 * random.nextDouble();
        if (i == DIVERGED && step > 600) {
          acc = Double.NaN;
          loss = Double.NaN;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", loss);
        metrics.put("eval_accuracy", acc);
        history.add(new TrialResult.Evaluation(step, metrics));
        if (acc > bestAcc) {
          bestAcc = acc;
          bestStep = step;
        }
      }
      final long at = bestStep;
      Map<String, Double> best = history.stream().filter(e -> e.step() == at).findFirst().orElseThrow().metrics();
      TrialStatus status = i == DIVERGED ? TrialStatus.DIVERGED : i == STOPPED ? TrialStatus.STOPPED : TrialStatus.COMPLETED;
      String reason = i == DIVERGED ? "loss became NaN at step 640" : i == STOPPED ? "no improvement in 5 evaluations" : null;
      long steps = i == DIVERGED ? 640 : lastStep;
      results.add(new TrialResult(id, status, steps, bestStep, best, history, params, 1000 + i, null, reason, 20 + steps * 0.031 + i));
    }
  }

  /**
   * study.json as the sweep writes it (StudySpecWriter's JSON form): num_layers searched over 1..4
   * although no trial drew 4, optimizer choices listed sgd first.
   */
  void writeStudy() {
    write(
        "study.json",
        """
        {"metric": {"name": "eval_accuracy", "goal": "MAXIMIZE"}, "algorithm": "RANDOM",
         "maxTrials": 12, "seed": 42, "trainSteps": 2000, "evalEverySteps": 100,
         "checkpointEverySteps": 200, "earlyStoppingPatience": 5,
         "parameters": [
           {"name": "learning_rate", "type": "DOUBLE", "min": 1.0E-4, "max": 0.1, "scale": "LOG"},
           {"name": "hidden_units", "type": "DISCRETE", "values": [32, 64, 128]},
           {"name": "num_layers", "type": "INTEGER", "min": 1, "max": 4, "scale": "LINEAR"},
           {"name": "optimizer", "type": "CATEGORICAL", "values": ["sgd", "adam"]}],
         "fixed": {"batch_size": 64, "model": "dnn"}}
        """);
  }

  void writeResultsJsonl() {
    StringBuilder lines = new StringBuilder();
    results.forEach(r -> lines.append(r.toJson()).append('\n'));
    write("results.jsonl", lines.toString());
  }

  private void writeBest() {
    TrialResult best = best();
    String checkpoint = dir.resolve("trials/" + best.trial() + "/model.ckpt-" + best.bestStep()).toString();
    String params = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(best.params()).toString();
    write(
        "best/best.json",
        "{\"trial\":\"" + best.trial() + "\",\"metric\":{\"name\":\"eval_accuracy\",\"goal\":\"MAXIMIZE\",\"value\":"
            + best.metric("eval_accuracy") + "},\"step\":" + best.bestStep() + ",\"params\":" + params
            + ",\"checkpoint\":\"" + checkpoint + "\",\"exported_at\":\"2026-01-01T00:00:00Z\"}");
  }

  void write(String relative, String content) {
    try {
      Path file = dir.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
