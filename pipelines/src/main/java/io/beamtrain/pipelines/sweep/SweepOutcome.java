package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a finished sweep (or export) left in its output directory, read back for the command's
 * summary: every trial's result and the exported winner.
 *
 * @param layout the output directory
 * @param metric the study metric
 * @param results every trial, sorted by id
 * @param best the exported winner: its result, with best.json's step and metrics (those of the
 *     exported checkpoint), which the {@code best:} line prints
 * @param elapsed wall time of the run
 * @param resumed the trials this run did not train, done before it started (see {@link
 *     SweepProgress#resumed}); empty when not known
 */
public record SweepOutcome(
    OutputLayout layout, MetricSpec metric, List<TrialResult> results, TrialResult best, Duration elapsed,
    Set<String> resumed) {

  public SweepOutcome {
    resumed = Set.copyOf(resumed);
  }
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads results.jsonl and best.json of {@code layout}. */
  public static SweepOutcome read(
      OutputLayout layout, MetricSpec metric, StorageConfig config, Duration elapsed) {
    List<TrialResult> results = ResultsFiles.read(layout, config);
    JsonNode bestJson;
    try {
      bestJson = JSON.readTree(new String(
          Storages.forPath(layout.bestJson(), config).readBytes(layout.bestJson()), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(layout.bestJson() + ": " + e.getMessage(), e);
    }
    String winner = bestJson.path("trial").asText();
    TrialResult result = results.stream()
        .filter(r -> r.trial().equals(winner))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(
            layout.bestJson() + " names " + winner + ", which is not in " + layout.resultsJsonl()));
    return new SweepOutcome(layout, metric, results, asExported(result, bestJson), elapsed, Set.of());
  }

  /** The winner's result with the step and metrics of the checkpoint best.json says was exported. */
  private static TrialResult asExported(TrialResult result, JsonNode bestJson) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    bestJson.path("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
    JsonNode value = bestJson.path("metric");
    if (value.path("value").isNumber()) {
      metrics.put(value.path("name").asText(), value.path("value").asDouble());
    }
    Long step = bestJson.path("step").isNumber() ? bestJson.path("step").asLong() : result.bestStep();
    return new TrialResult(result.trial(), result.status(), result.steps(), step, metrics, result.history(),
        result.params(), result.seed(), result.error(), result.reason(), result.elapsedSeconds());
  }

  /** The same outcome, knowing which trials were done before the run (they are not counted as trained). */
  public SweepOutcome withResumed(Set<String> trials) {
    return new SweepOutcome(layout, metric, results, best, elapsed, trials);
  }

  /** How many of the results this run resumed as they were. */
  public long resumedCount() {
    return results.stream().filter(r -> resumed.contains(r.trial())).count();
  }

  public long failed() {
    TrialRanking ranking = new TrialRanking(metric);
    return results.stream().filter(r -> !ranking.isEligible(r)).count();
  }

  /** A few lines for the terminal. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    long resumedCount = resumedCount();
    // A re-run says what it found done: otherwise "8 trials in 0:02" reads as 8 trained.
    String work = resumedCount == 0 ? ""
        : String.format(Locale.ROOT, "%d already done, %d trained; ", resumedCount, results.size() - resumedCount);
    out.append(String.format(Locale.ROOT, "sweep: %d trials in %s (%s%d succeeded, %d failed)%n",
        results.size(), SweepProgress.clockTime(elapsed), work, results.size() - failed(), failed()));
    out.append(String.format(Locale.ROOT, "best: %s %s=%.4f at step %d", best.trial(), metric.name(),
        best.metric(metric.name()), best.bestStep()));
    Map<String, Double> others = new TreeMap<>(best.metrics());
    others.remove(metric.name());
    if (!others.isEmpty()) {
      StringBuilder extra = new StringBuilder();
      others.forEach((name, value) ->
          extra.append(extra.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%s=%.4f", name, value)));
      out.append(" (").append(extra).append(')');
    }
    out.append(String.format("%n  params: %s%n", new TreeMap<>(best.params())));
    out.append(String.format("model: %s%n", layout.savedModel()));
    out.append(String.format("results: %s%n", layout.resultsJsonl()));
    out.append(String.format("report: %s", layout.reportHtml()));
    return out.toString();
  }
}
