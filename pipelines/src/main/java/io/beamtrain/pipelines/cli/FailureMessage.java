package io.beamtrain.pipelines.cli;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one line {@code beamtrain} prints for a failure while running: the outermost message in the
 * cause chain that says something of its own.
 *
 * <p>Outermost, because the layers that know the context wrap the low-level error: beamtrain's
 * storage turns a bare {@code UnknownHostException: storage.googleapis.com} into "gs://b/x: read
 * failed: cannot reach the GCS endpoint ... not retried, as ...". A message is skipped when it is
 * blank, only restates its cause (the runners' wrappers, e.g. Beam's {@code
 * PipelineExecutionException}, carry {@code cause.toString()}), is a single word -- a host name
 * or a path that means nothing without its exception's name -- or is an engine's wrapper: an
 * exception with a cause, of a class of Flink, Spark or a Beam runner or thrown by their code.
 * Those say only that and where a job failed ({@code Pipeline execution failed}, {@code Job
 * execution failed.}, {@code Recovery is suppressed by NoRestartBackoffTimeStrategy}, {@code
 * Exception in chained task '...'}); their cause says why. If nothing is left, the innermost
 * message is printed with its exception's simple name ({@code UnknownHostException:
 * storage.googleapis.com}), or with no message anywhere the innermost exception's name.
 */
public final class FailureMessage {
  /** Packages of the engines whose wrappers only say that a job failed. */
  private static final List<String> ENGINES =
      List.of("org.apache.flink.", "org.apache.spark.", "org.apache.beam.runners.");

  private FailureMessage() {}

  public static String of(Throwable failure) {
    Throwable innermost = failure;
    Throwable innermostWithMessage = null;
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (saysSomething(t)) {
        return t.getMessage();
      }
      innermost = t;
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        innermostWithMessage = t;
      }
    }
    return innermostWithMessage == null
        ? innermost.getClass().getSimpleName()
        : innermostWithMessage.getClass().getSimpleName() + ": " + innermostWithMessage.getMessage();
  }

  private static boolean saysSomething(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank() || !message.strip().matches("(?s).*\\s.*")) {
      return false;
    }
    Throwable cause = t.getCause();
    if (cause == null) {
      return true;
    }
    return !(message.equals(cause.toString()) || message.equals(cause.getMessage()) || isEngineWrapper(t));
  }

  private static boolean isEngineWrapper(Throwable t) {
    StackTraceElement[] frames = t.getStackTrace();
    String thrower = frames.length == 0 ? "" : frames[0].getClassName();
    return ENGINES.stream().anyMatch(p -> t.getClass().getName().startsWith(p) || thrower.startsWith(p));
  }
}
