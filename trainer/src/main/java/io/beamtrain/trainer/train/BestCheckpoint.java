package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trial's best checkpointed evaluation, chosen the way keep-best retention ({@code BestN(1)}
 * by the trial's metric) chooses which checkpoint to keep: the best value that is not NaN, the
 * later step on a tie. It is therefore always a checkpoint retention keeps, and it is what {@code
 * best_step} names. Fed in step order. Not thread-safe.
 *
 * <p>{@link #reconcile} applies the same choice to the checkpoints a trial directory holds, for
 * results written before this rule (whose best step may have no checkpoint) or ranked by another
 * metric than the one the trial kept its best checkpoint by.
 */
public final class BestCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(BestCheckpoint.class);

  private final MetricSpec metric;
  private Evaluation best;

  public BestCheckpoint(MetricSpec metric) {
    this.metric = metric;
  }

  /**
   * Whether an evaluation with {@code value} is strictly better than the best checkpoint, so that
   * it must be checkpointed to become the trial's best (a tie need not be: the earlier one has
   * the same value and is kept).
   */
  public boolean improvesOn(double value) {
    return !Double.isNaN(value) && (best == null || metric.goal().isBetter(value, best.metric(metric.name())));
  }

  /** Records that {@code evaluation} was checkpointed. */
  public void checkpointed(Evaluation evaluation) {
    double value = evaluation.metric(metric.name());
    if (!Double.isNaN(value)
        && (best == null || !metric.goal().isBetter(best.metric(metric.name()), value))) {
      best = evaluation;
    }
  }

  /** The best checkpointed evaluation; empty while none has a value of the metric. */
  public Optional<Evaluation> best() {
    return Optional.ofNullable(best);
  }

  /**
   * The evaluation a committed checkpoint carries: its sidecar's metrics, as the history's entry
   * at its step when that holds the same values (in the order they were computed, so a resumed
   * trial's result.json reads as an uninterrupted one's); the history's entry for a checkpoint
   * without a sidecar (an older beamtrain).
   */
  public static Evaluation of(Checkpoint checkpoint, List<Evaluation> history) {
    for (Evaluation e : history) {
      if (e.step() == checkpoint.step()
          && (checkpoint.metrics().isEmpty() || e.metrics().equals(checkpoint.metrics()))) {
        return e;
      }
    }
    return new Evaluation(checkpoint.step(), checkpoint.metrics());
  }

  /**
   * {@code result} with {@code best_step} and {@code metrics} of its best committed checkpoint in
   * {@code trialDir} by {@code metric}: unchanged when its best step is that checkpoint (or one
   * tied with it), else replaced, with a warning when its best step has no checkpoint (an output
   * directory of an older beamtrain), so that selection ranks the trial by what can be exported
   * instead of exporting another step than it ranked. A result with no such checkpoint loses its
   * best step (it cannot be exported). A FAILED result is returned as is.
   */
  public static TrialResult reconcile(
      TrialResult result, String trialDir, MetricSpec metric, StorageConfig config) {
    if (result.status() == TrialStatus.FAILED) {
      return result;
    }
    List<Checkpoint> committed = CheckpointManager.committedCheckpoints(trialDir, config);
    BestCheckpoint best = new BestCheckpoint(metric);
    Evaluation recorded = null;
    for (Checkpoint c : committed) {
      Evaluation e = of(c, result.history());
      best.checkpointed(e);
      if (result.bestStep() != null && c.step() == result.bestStep()) {
        recorded = e;
      }
    }
    Optional<Evaluation> chosen = best.best();
    if (chosen.isEmpty()) {
      if (result.bestStep() == null) {
        return result;
      }
      LOG.warn("{}: no committed checkpoint in {} has a value of {}; best_step {} cannot be exported",
          result.trial(), trialDir, metric.name(), result.bestStep());
      return withBest(result, null, Map.of());
    }
    double value = chosen.get().metric(metric.name());
    if (recorded != null && !metric.goal().isBetter(value, recorded.metric(metric.name()))) {
      return result;
    }
    if (recorded == null && result.bestStep() != null) {
      LOG.warn("{}: best_step {} has no committed checkpoint in {} (written by an older beamtrain?);"
              + " ranking and exporting its best committed one instead, step {} ({}={})",
          result.trial(), result.bestStep(), trialDir, chosen.get().step(), metric.name(), value);
    } else {
      LOG.info("{}: by {} its best committed checkpoint is step {} ({}), not best_step {}",
          result.trial(), metric.name(), chosen.get().step(), value, result.bestStep());
    }
    return withBest(result, chosen.get().step(), chosen.get().metrics());
  }

  private static TrialResult withBest(TrialResult r, Long step, Map<String, Double> metrics) {
    // The model metrics describe the network, not an evaluation: they hold at any step.
    Map<String, Double> withModel = new java.util.LinkedHashMap<>(metrics);
    r.metrics().forEach((name, value) -> {
      if (io.beamtrain.trainer.ModelMetrics.NAMES.contains(name)) {
        withModel.putIfAbsent(name, value);
      }
    });
    return new TrialResult(r.trial(), r.status(), r.steps(), step, withModel, r.history(), r.params(),
        r.seed(), r.error(), r.reason(), r.elapsedSeconds());
  }
}
