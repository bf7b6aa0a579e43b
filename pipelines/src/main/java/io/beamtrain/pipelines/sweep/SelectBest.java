package io.beamtrain.pipelines.sweep;

import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PCollection;

/**
 * Picks the winning trial of a sweep with a Beam combiner: the best value of the study metric
 * (per its goal) among COMPLETED and STOPPED trials, ties broken by the smaller trial id (see
 * {@link TrialRanking}). The combiner is associative and commutative, so any runner may combine
 * partial results in any order and still pick the same trial.
 *
 * <p>Outputs exactly one element for a non-empty input (none for an empty one: no default value,
 * which would need a winner out of nothing). The combiner itself never fails; a last step does
 * (after the signal of {@link #after}, if any) when no trial is eligible (every one FAILED or DIVERGED) the
 * pipeline fails with a {@link NoSuccessfulTrialException} quoting the first failure.
 */
public final class SelectBest extends PTransform<PCollection<TrialResult>, PCollection<TrialResult>> {
  private final TrialRanking ranking;
  private final PCollection<?> failAfter;

  private SelectBest(TrialRanking ranking, PCollection<?> failAfter) {
    this.ranking = ranking;
    this.failAfter = failAfter;
  }

  public static SelectBest by(MetricSpec metric) {
    return new SelectBest(new TrialRanking(metric), null);
  }

  /** The selection of a study's objectives: only feasible trials win (see {@link TrialRanking}). */
  public static SelectBest by(TrialRanking ranking) {
    return new SelectBest(ranking, null);
  }

  /**
   * The same selection, emitting (or failing for want of a winner) only once {@code signal} is
   * complete: the sweep lets results.jsonl be written first, so an all-failed sweep still leaves
   * every trial's error on record.
   */
  public SelectBest after(PCollection<?> signal) {
    return new SelectBest(ranking, signal);
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<TrialResult> results) {
    PCollection<Selection> selection = results
        .apply("RankTrials", Combine.globally(new BestTrialFn(ranking)).withoutDefaults())
        .setCoder(new SelectionCoder());
    if (failAfter != null) {
      selection = selection.apply("AfterSignal", Wait.on(failAfter)).setCoder(new SelectionCoder());
    }
    return selection
        .apply("Winner", ParDo.of(new WinnerFn(ranking)))
        .setCoder(TrialResultCoder.of());
  }

  /** What the combiner keeps: the best trial so far, the first failure (by trial id) and the trial count. */
  static final class Selection {
    TrialResult best;
    TrialResult firstFailure;
    int trials;
  }

  /** Emits the winner, or fails the pipeline when no trial is eligible. */
  static final class WinnerFn extends DoFn<Selection, TrialResult> {
    private final TrialRanking ranking;

    WinnerFn(TrialRanking ranking) {
      this.ranking = ranking;
    }

    WinnerFn() {
      this(null);
    }

    @ProcessElement
    public void process(@Element Selection selection, OutputReceiver<TrialResult> out) {
      if (selection.best == null) {
        throw new NoSuccessfulTrialException(describeFailure(selection, ranking));
      }
      out.output(selection.best);
    }

    static String describeFailure(Selection selection) {
      return describeFailure(selection, null);
    }

    static String describeFailure(Selection selection, TrialRanking ranking) {
      if (selection.trials == 0 || selection.firstFailure == null) {
        return "the sweep has no trials";
      }
      TrialResult first = selection.firstFailure;
      String why = first.error() != null ? first.error() : first.reason();
      boolean finished = first.status() == TrialStatus.COMPLETED || first.status() == TrialStatus.STOPPED;
      List<String> violations = ranking == null ? List.of() : ranking.objectives().violations(first);
      if (finished && why == null && !violations.isEmpty()) {
        why = "infeasible, breaks " + String.join(", ", violations);
      }
      if (finished && why == null) {
        // It trained, but none of its committed checkpoints has a value of the metric to rank
        // and export it by (BestCheckpoint.reconcile dropped its best step).
        why = "no committed checkpoint with a value of the metric to export";
      }
      return (finished ? "no trial of " + selection.trials + " can be exported; " : "all " + selection.trials
          + " trials failed; ") + first.trial() + " " + first.status()
          + (why == null ? "" : ": " + why) + " (every trial is in results.jsonl)";
    }
  }

  static final class BestTrialFn extends Combine.CombineFn<TrialResult, Selection, Selection> {
    private final TrialRanking ranking;

    BestTrialFn(TrialRanking ranking) {
      this.ranking = ranking;
    }

    @Override
    public Selection createAccumulator() {
      return new Selection();
    }

    @Override
    public Selection addInput(Selection selection, TrialResult result) {
      selection.trials++;
      if (ranking.isEligible(result)) {
        considerBest(selection, result);
      } else {
        considerFailure(selection, result);
      }
      return selection;
    }

    @Override
    public Selection mergeAccumulators(Iterable<Selection> selections) {
      Selection merged = new Selection();
      for (Selection s : selections) {
        merged.trials += s.trials;
        if (s.best != null) {
          considerBest(merged, s.best);
        }
        if (s.firstFailure != null) {
          considerFailure(merged, s.firstFailure);
        }
      }
      return merged;
    }

    private void considerBest(Selection selection, TrialResult candidate) {
      if (selection.best == null || ranking.isBetter(candidate, selection.best)) {
        selection.best = candidate;
      }
    }

    private static void considerFailure(Selection selection, TrialResult candidate) {
      if (selection.firstFailure == null
          || candidate.trial().compareTo(selection.firstFailure.trial()) < 0) {
        selection.firstFailure = candidate;
      }
    }

    @Override
    public Selection extractOutput(Selection selection) {
      return selection;
    }

    @Override
    public Coder<Selection> getAccumulatorCoder(CoderRegistry registry, Coder<TrialResult> input) {
      return new SelectionCoder();
    }

    @Override
    public Coder<Selection> getDefaultOutputCoder(CoderRegistry registry, Coder<TrialResult> input) {
      return new SelectionCoder();
    }
  }

  static final class SelectionCoder extends CustomCoder<Selection> {
    private static final Coder<TrialResult> RESULT = NullableCoder.of(TrialResultCoder.of());
    private static final Coder<Integer> COUNT = VarIntCoder.of();

    @Override
    public void encode(Selection s, OutputStream out) throws IOException {
      RESULT.encode(s.best, out);
      RESULT.encode(s.firstFailure, out);
      COUNT.encode(s.trials, out);
    }

    @Override
    public Selection decode(InputStream in) throws IOException {
      Selection s = new Selection();
      s.best = RESULT.decode(in);
      s.firstFailure = RESULT.decode(in);
      s.trials = COUNT.decode(in);
      return s;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
