package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preprocess at scale (issue 15): flights-200k repeated to 200k, 2M (and, with {@code
 * -Dbeamtrain.preprocess.rows=200000,2000000,10000000}, 10M) rows, each preprocessed in a child JVM
 * of a fixed heap ({@code -Dbeamtrain.preprocess.childHeap}, default 1g) by the DirectRunner
 * pipeline and by the plain single-threaded loop of {@link PreprocessBenchmark}, the baseline,
 * one after the other in the same run. Prints wall time (the work, and the whole child process),
 * CPU seconds and peak resident memory (VmHWM) of both and their ratios.
 *
 * <p>Run: {@code mvn -B -o -Pbenchmarks verify -pl pipelines -am
 * -Dtest=PreprocessScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class PreprocessScaleBenchmark {
  private static final int BASE_ROWS = 200_000;

  @TempDir Path tmp;

  @Test
  void preprocessAtScale() throws Exception {
    String heap = System.getProperty("beamtrain.preprocess.childHeap", "1g");
    List<Integer> sizes = new ArrayList<>();
    for (String rows : System.getProperty("beamtrain.preprocess.rows", "200000,2000000").split(",")) {
      sizes.add(Integer.parseInt(rows.trim()));
    }
    Path base = PreprocessBenchmark.findInRepository("data/flights-200k.csv");
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT,
        "%nPreprocessScaleBenchmark (child JVMs -Xmx%s, %d cores)%n"
            + "  %10s  %-9s %8s %8s %8s %11s %10s%n",
        heap, Runtime.getRuntime().availableProcessors(),
        "rows", "who", "work s", "jvm s", "cpu s", "rows/s", "peak RSS"));
    for (int rows : sizes) {
      if (rows % BASE_ROWS != 0) {
        throw new IllegalArgumentException("rows must be a multiple of " + BASE_ROWS + ": " + rows);
      }
      Path input = PreprocessChild.repeat(base, rows / BASE_ROWS, tmp.resolve("flights-" + rows + ".csv"));
      Figures loop = measure(heap, "loop", input, rows);
      Figures beam = measure(heap, "beam", input, rows);
      report.append(loop.line(rows, "loop")).append(beam.line(rows, "beam"));
      report.append(String.format(Locale.ROOT,
          "  %10d  ratio beam/loop rows/s %.2f, peak RSS beam %.2f GiB (loop %.2f GiB)%n",
          rows, loop.work / beam.work, beam.rssGiB(), loop.rssGiB()));
      Files.delete(input);
    }
    report.append(String.format(Locale.ROOT, "  system load average at the end: %.1f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    System.out.println(report);
  }

  private Figures measure(String heap, String who, Path input, int rows) throws Exception {
    Path output = tmp.resolve(who + "-" + rows);
    long start = System.nanoTime();
    Map<String, String> run = ChildJvm.run(heap, who, input, output);
    double jvm = (System.nanoTime() - start) / 1e9;
    assertEquals("0", run.get("exitStatus"), () -> who + " failed: " + run.get("output"));
    assertEquals(Integer.toString(rows), run.get("rows"));
    deleteTree(output);
    return new Figures(Double.parseDouble(run.get("seconds")), jvm,
        Double.parseDouble(run.get("cpuSeconds")), Long.parseLong(run.get("peakRssKiB")));
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private record Figures(double work, double jvm, double cpu, long peakRssKiB) {
    double rssGiB() {
      return peakRssKiB / (1024.0 * 1024.0);
    }

    String line(int rows, String who) {
      return String.format(Locale.ROOT, "  %10d  %-9s %8.2f %8.2f %8.2f %,11.0f %6.2f GiB%n",
          rows, who, work, jvm, cpu, rows / work, rssGiB());
    }
  }
}
