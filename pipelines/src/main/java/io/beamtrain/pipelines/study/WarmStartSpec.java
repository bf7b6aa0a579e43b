package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A study's {@code warmStart} block: the outputs of earlier sweeps (local or gs://) whose trials
 * seed the model-based samplers (TPE, ASHA's TPE, NSGA2), so the first round is not blind.
 *
 * @param from the earlier outputs, as given
 * @param taken what each source gave once resolved (same order as {@code from}); null until the
 *     sweep has read them. study.json records it, so a run says which trials it started from
 */
public record WarmStartSpec(List<String> from, List<Source> taken) implements Serializable {

  public WarmStartSpec {
    from = List.copyOf(from);
    taken = taken == null ? null : List.copyOf(taken);
  }

  /** An unresolved block. */
  public static WarmStartSpec of(List<String> from) {
    return new WarmStartSpec(from, null);
  }

  /** The resolved copy. */
  public WarmStartSpec resolved(List<Source> sources) {
    return new WarmStartSpec(from, sources);
  }

  /**
   * What one earlier output gave.
   *
   * @param from the output directory
   * @param trials how many of its trials seed the samplers
   * @param skipped how many were left out (outside this study's space, other fixed values)
   * @param note why the source gave nothing or less than all; empty when it gave every trial
   */
  public record Source(String from, int trials, int skipped, String note) implements Serializable {
    public Source {
      Objects.requireNonNull(from, "from");
      note = note == null ? "" : note;
    }
  }
}
