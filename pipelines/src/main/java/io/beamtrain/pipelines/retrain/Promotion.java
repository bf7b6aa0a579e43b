package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.Goal;
import java.util.Locale;

/**
 * The champion/challenger rule: promote the challenger only when it beats the champion on the
 * same eval split by more than nothing and by at least {@code minImprovement} (in the metric's
 * units, in the direction of its goal). Without a champion the challenger is promoted. A
 * non-finite challenger score never is.
 */
public final class Promotion {
  private Promotion() {}

  /** The outcome: whether to promote, and why in words. */
  public record Decision(boolean promote, String reason) {}

  public static Decision decide(Score champion, Score challenger, double minImprovement) {
    if (!(minImprovement >= 0) || Double.isInfinite(minImprovement)) {
      throw new IllegalArgumentException("--minImprovement must be a finite number >= 0, was " + minImprovement);
    }
    if (!Double.isFinite(challenger.value())) {
      return new Decision(false, "the challenger's " + challenger.name() + " is " + challenger.value());
    }
    if (champion == null) {
      return new Decision(true, String.format(Locale.ROOT,
          "no champion yet: the challenger (%s %.4f on %d eval rows) becomes the first version",
          challenger.name(), challenger.value(), challenger.rows()));
    }
    if (!champion.name().equals(challenger.name())) {
      throw new IllegalArgumentException("cannot compare " + champion.name() + " with " + challenger.name());
    }
    double improvement = champion.goal() == Goal.MAXIMIZE
        ? challenger.value() - champion.value()
        : champion.value() - challenger.value();
    boolean promote = improvement > 0 && improvement >= minImprovement;
    String reason = String.format(Locale.ROOT,
        "challenger %s %.4f vs champion %.4f on the same %d eval rows (%s): improvement %+.4f %s"
            + " --minImprovement %.4f",
        challenger.name(), challenger.value(), champion.value(), challenger.rows(),
        champion.goal() == Goal.MAXIMIZE ? "higher is better" : "lower is better",
        improvement, promote ? "meets" : "does not meet", minImprovement);
    return new Decision(promote, reason);
  }
}
