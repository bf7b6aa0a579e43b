package io.beamtrain.pipelines.preprocess;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One preprocess in a JVM of its own, so that its peak resident memory can be measured: {@code
 * beam <input> <output>} runs the pipeline as {@link PreprocessBenchmark} does, {@code loop
 * <input> <output>} its plain single-threaded loop. Prints {@code rows=}, {@code seconds=} (the
 * work only), {@code cpuSeconds=} and {@code peakRssKiB=} (the kernel's VmHWM, the high-water mark
 * of the whole process) on stdout. Started by {@link ChildJvm}.
 */
public final class PreprocessChild {
  private PreprocessChild() {}

  public static void main(String[] args) throws Exception {
    Path input = Path.of(args[1]);
    Path output = Path.of(args[2]);
    long start = System.nanoTime();
    long rows =
        switch (args[0]) {
          case "beam" -> PreprocessBenchmark.beam(input, output);
          case "loop" -> PreprocessBenchmark.loop(input, output);
          default -> throw new IllegalArgumentException("mode beam or loop, was " + args[0]);
        };
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    System.out.println("rows=" + rows);
    System.out.println("seconds=" + seconds);
    System.out.println("cpuSeconds=" + cpu);
    System.out.println("peakRssKiB=" + peakRssKiB());
    System.exit(0); // the DirectRunner's and the pool's threads need not be waited for
  }

  /** VmHWM of this process from /proc/self/status, in KiB. */
  static long peakRssKiB() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmHWM in /proc/self/status");
  }

  /** Writes {@code copies} times the data rows of {@code csv} (its header once) to {@code to}. */
  static Path repeat(Path csv, int copies, Path to) throws java.io.IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> data = new ArrayList<>(lines.subList(1, lines.size()));
    try (var out = Files.newBufferedWriter(to)) {
      out.write(lines.get(0));
      out.newLine();
      for (int i = 0; i < copies; i++) {
        for (String line : data) {
          out.write(line);
          out.newLine();
        }
      }
    }
    return to;
  }
}
