package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preprocessing holds no row in memory: 400,000 rows (flights-200k twice, 9 MB of CSV,
 * about 100 MB as parsed rows) preprocess in a child JVM whose heap is far smaller than the
 * rows. Holding the parsed rows of a file, or its encoded examples for the shard shuffle, runs out
 * of that heap.
 */
class PreprocessMemoryTest {
  @TempDir Path tmp;

  @Test
  void fourHundredThousandRowsPreprocessInAHeapSmallerThanTheirRows() throws Exception {
    Path input =
        PreprocessChild.repeat(
            PreprocessBenchmark.findInRepository("data/flights-200k.csv"), 2,
            tmp.resolve("flights-400k.csv"));

    Map<String, String> run = ChildJvm.run("64m", "beam", input, tmp.resolve("out"));

    assertEquals("0", run.get("exitStatus"), () -> run.get("output"));
    assertEquals("400000", run.get("rows"));
  }
}
