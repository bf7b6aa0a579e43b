package io.beamtrain.pipelines.cli;

import io.beamtrain.pipelines.PipelineRuns.TemplateCreated;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.RunnerPlacement;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code beamtrain} command line: picks the command, parses its flags as Beam pipeline
 * options, runs it and turns the outcome into an exit status (0 ok, 2 bad usage or input, 1
 * failure while running; see {@link ExitStatus}). Errors are one line on stderr naming the flag,
 * file or field; stack traces go to the debug log only.
 *
 * <p>On the DirectRunner the CLI turns off the runner's immutability and encodability checks
 * unless a flag sets them: they re-encode every element, which costs preprocessing throughput and
 * finds bugs only in pipeline code, which the test suite runs with the checks on.
 */
public final class Cli {
  private static final Logger LOG = LoggerFactory.getLogger(Cli.class);
  private static final Pattern UNKNOWN_PROPERTY =
      Pattern.compile("missing a property named '([^']+)'\\.?(.*)", Pattern.DOTALL);
  private static final Pattern BAD_VALUE = Pattern.compile(
      "Cannot deserialize value of type `(?:[\\w.]+\\.)?(\\w+)` from String \"([^\"]*)\"");
  private static final Pattern UNKNOWN_RUNNER =
      Pattern.compile("Unknown 'runner' specified '([^']*)', supported pipeline runners (.*)", Pattern.DOTALL);
  private static final Pattern MISSING_REQUIRED =
      Pattern.compile("Missing required value for \\[--([^,\\]]+)");

  private final PrintStream out;
  private final PrintStream err;
  private final List<Command> commands;

  public Cli(PrintStream out, PrintStream err, List<Command> commands) {
    this.out = out;
    this.err = err;
    this.commands = List.copyOf(commands);
  }

  /** Runs {@code beamtrain args...} and returns the exit status. */
  public int run(String... args) {
    if (args.length == 0) {
      HelpPrinter.printUsage(commands, err);
      return ExitStatus.BAD_INPUT;
    }
    if (isHelp(args[0]) || args[0].equals("help")) {
      HelpPrinter.printUsage(commands, out);
      return ExitStatus.OK;
    }
    Optional<Command> found = commands.stream().filter(c -> c.name().equals(args[0])).findFirst();
    if (found.isEmpty()) {
      err.println("beamtrain: unknown command '" + args[0] + "'; expected one of "
          + String.join(", ", commands.stream().map(Command::name).toList())
          + " (beamtrain --help)");
      return ExitStatus.BAD_INPUT;
    }
    Command command = found.get();
    String[] flags = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.stream(flags).anyMatch(Cli::isHelp)) {
      HelpPrinter.printCommand(command, out);
      return ExitStatus.OK;
    }
    try {
      PipelineOptions options = parse(command, flags);
      command.run(options, out);
      return ExitStatus.OK;
    } catch (Throwable failure) {
      TemplateCreated template = templateCreated(failure);
      if (template != null) {
        out.println("beamtrain " + command.name() + ": " + template.getMessage());
        return ExitStatus.OK;
      }
      return report(command, failure);
    }
  }

  private PipelineOptions parse(Command command, String[] flags) {
    for (String flag : flags) {
      if (!flag.startsWith("--")) {
        throw new UsageException("unexpected argument '" + flag + "'; flags look like --name=value");
      }
    }
    PipelineOptions options;
    try {
      options = PipelineOptionsFactory.fromArgs(flags).withValidation().as(command.optionsClass());
    } catch (IllegalArgumentException e) {
      throw new UsageException(translate(e.getMessage(), flags), e);
    }
    RunnerPlacement.checkWorkerPaths(options);
    if (options.getRunner() == DirectRunner.class) {
      DirectOptions direct = options.as(DirectOptions.class);
      if (!mentions(flags, "enforceImmutability")) {
        direct.setEnforceImmutability(false);
      }
      if (!mentions(flags, "enforceEncodability")) {
        direct.setEnforceEncodability(false);
      }
    }
    return options;
  }

  private int report(Command command, Throwable failure) {
    int status = ExitStatus.of(failure);
    String prefix = "beamtrain " + command.name() + ": ";
    if (status == ExitStatus.BAD_INPUT) {
      err.println(prefix + oneLine(ExitStatus.badInputCause(failure).getMessage()));
    } else {
      err.println(prefix + "failed: " + oneLine(FailureMessage.of(failure)));
    }
    LOG.debug("{} failed", command.name(), failure);
    return status;
  }

  /** Rewrites Beam's option-parsing messages to name the flag the user typed. */
  static String translate(String message, String[] flags) {
    if (message == null) {
      return "invalid flags";
    }
    Matcher badValue = BAD_VALUE.matcher(message);
    if (badValue.find()) {
      // Beam's message names the type and the value but not the flag; find the flag by its value.
      String value = badValue.group(2);
      String flag = Arrays.stream(flags)
          .filter(f -> f.endsWith("=" + value))
          .map(f -> f.substring(0, f.indexOf('=')))
          .findFirst()
          .orElse("a flag");
      return flag + ": '" + value + "' is not a valid " + badValue.group(1);
    }
    Matcher runner = UNKNOWN_RUNNER.matcher(message);
    if (runner.find()) {
      String name = runner.group(1);
      return RunnerPlacement.profileOf(name)
          .map(profile -> "--runner=" + name + ": that runner is not in this jar; ./beamtrain runs"
              + " beamtrain-" + profile + ".jar for it (built with mvn -P" + profile + ")")
          .orElse("--runner=" + name + ": unknown runner; this jar has " + oneLine(runner.group(2)));
    }
    Matcher unknown = UNKNOWN_PROPERTY.matcher(message);
    if (unknown.find()) {
      String hint = unknown.group(2).trim();
      return "unknown flag --" + unknown.group(1) + (hint.isEmpty() ? "" : " (" + oneLine(hint) + ")");
    }
    Matcher missing = MISSING_REQUIRED.matcher(message);
    if (missing.find()) {
      return "missing required flag --" + missing.group(1).trim();
    }
    return oneLine(message);
  }

  /** A template creation anywhere in the chain (a command may wrap what the run threw). */
  private static TemplateCreated templateCreated(Throwable failure) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof TemplateCreated created) {
        return created;
      }
    }
    return null;
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h") || arg.startsWith("--help=");
  }

  private static boolean mentions(String[] flags, String name) {
    return Arrays.stream(flags).anyMatch(f -> f.equals("--" + name) || f.startsWith("--" + name + "="));
  }
}
