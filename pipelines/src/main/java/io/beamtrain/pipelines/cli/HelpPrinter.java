package io.beamtrain.pipelines.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints {@code beamtrain --help} and {@code beamtrain <command> --help}. */
public final class HelpPrinter {
  private static final int WIDTH = 100;
  private static final String INDENT = "      ";

  private HelpPrinter() {}

  public static void printUsage(List<Command> commands, PrintStream out) {
    out.println("Usage: beamtrain <command> [--flag=value ...]");
    out.println();
    out.println("Commands:");
    int width = commands.stream().mapToInt(c -> c.name().length()).max().orElse(8);
    for (Command command : commands) {
      out.printf("  %-" + width + "s  %s%n", command.name(), command.summary());
    }
    out.println();
    out.println("Run 'beamtrain <command> --help' for the command's flags.");
    out.println("Exit status: 0 success, 2 bad usage or input, 1 failure while running.");
  }

  public static void printCommand(Command command, PrintStream out) {
    out.println("Usage: beamtrain " + command.name() + " [--flag=value ...]");
    out.println();
    out.println(command.summary());
    out.println();
    out.println("Flags:");
    for (Flag flag : Flag.of(command.optionsClass())) {
      out.println("  --" + flag.name() + "=" + flag.type() + (flag.required() ? "  (required)" : ""));
      boolean saysDefault = flag.description().contains("Default");
      String text = flag.description()
          + (flag.defaultValue() != null && !saysDefault ? " Default: " + flag.defaultValue() + "." : "");
      for (String line : wrap(text, WIDTH - INDENT.length())) {
        out.println(INDENT + line);
      }
    }
    out.println();
    out.println("Beam pipeline options apply as well, e.g. --runner=DirectRunner (default), "
        + "DataflowRunner,");
    out.println("FlinkRunner or SparkRunner (jar built with -Pflink / -Pspark), --project, --region, "
        + "--tempLocation,");
    out.println("--gcsEndpoint (a GCS-compatible server, e.g. the test server), --targetParallelism");
    out.println("(DirectRunner), --parallelism (Flink).");
  }

  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split("\\s+")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
