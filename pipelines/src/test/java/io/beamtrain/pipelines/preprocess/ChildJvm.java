package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link PreprocessChild} in a child JVM with this JVM's class path and module flags and a
 * fixed heap, and returns what it printed ({@code rows}, {@code seconds}, {@code cpuSeconds},
 * {@code peakRssKiB}) plus {@code exitStatus} and, on failure, {@code output}.
 */
final class ChildJvm {
  private ChildJvm() {}

  static Map<String, String> run(String maxHeap, String mode, Path input, Path output)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + maxHeap);
    // Out of heap is the failure to see; without this the JVM's other threads keep it alive.
    command.add("-XX:+ExitOnOutOfMemoryError");
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-opens")) {
        command.add(argument);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(PreprocessChild.class.getName());
    command.add(mode);
    command.add(input.toString());
    command.add(output.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> result = new HashMap<>();
    result.put("exitStatus", Integer.toString(process.waitFor()));
    for (String line : printed.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).matches("rows|seconds|cpuSeconds|peakRssKiB")) {
        result.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    if (!result.get("exitStatus").equals("0")) {
      result.put("output", printed.length() > 4000 ? printed.substring(printed.length() - 4000) : printed);
    }
    return result;
  }
}
