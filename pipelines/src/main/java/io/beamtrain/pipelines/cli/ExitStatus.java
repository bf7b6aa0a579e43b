package io.beamtrain.pipelines.cli;

import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.trainer.BadInputException;
import java.util.HashSet;
import java.util.Set;

/** The exit statuses of {@code beamtrain} (docs/DESIGN.md) and how a failure maps to one. */
public final class ExitStatus {
  public static final int OK = 0;
  /** Something failed while running. */
  public static final int FAILURE = 1;
  /** Bad usage or bad input: the message names the flag, file, line or field. */
  public static final int BAD_INPUT = 2;

  private ExitStatus() {}

  /**
   * {@link #BAD_INPUT} when the failure, or anything in its cause chain (pipelines wrap worker
   * exceptions), is a usage, study or bad-input error; {@link #FAILURE} otherwise.
   */
  public static int of(Throwable failure) {
    return badInputCause(failure) != null ? BAD_INPUT : FAILURE;
  }

  /** The first bad-input error in the cause chain, or null. */
  public static Throwable badInputCause(Throwable failure) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (isBadInput(t)) {
        return t;
      }
    }
    return null;
  }

  private static boolean isBadInput(Throwable t) {
    return t instanceof UsageException
        || t instanceof InvalidStudyException
        || t instanceof BadInputException;
  }
}
