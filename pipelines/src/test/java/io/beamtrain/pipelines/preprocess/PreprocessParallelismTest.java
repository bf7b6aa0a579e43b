package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PreprocessParallelism}: at most one DirectRunner thread per input file. */
class PreprocessParallelismTest {
  @TempDir Path tmp;

  @BeforeAll
  static void fileSystems() {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
  }

  @Test
  void oneFileRunsOnOneRunnerThread() throws Exception {
    Files.writeString(tmp.resolve("a.csv"), "x,y\n1,2\n");
    assertEquals(1, targetParallelismAfter(tmp.resolve("a.csv").toString(), "DirectRunner", 2));
  }

  @Test
  void aGlobKeepsOneThreadPerFileUpToTheTarget() throws Exception {
    for (String name : new String[] {"a.csv", "b.csv", "c.csv"}) {
      Files.writeString(tmp.resolve(name), "x,y\n1,2\n");
    }
    String glob = tmp.resolve("*.csv").toString();
    assertEquals(2, targetParallelismAfter(glob, "DirectRunner", 2));
    assertEquals(3, targetParallelismAfter(glob, "DirectRunner", 8));
  }

  @Test
  void noMatchOrAnotherRunnerLeavesItAlone() throws Exception {
    assertEquals(4, targetParallelismAfter(tmp.resolve("none-*.csv").toString(), "DirectRunner", 4));
    Files.writeString(tmp.resolve("a.csv"), "x,y\n1,2\n");
    assertEquals(4, targetParallelismAfter(tmp.resolve("a.csv").toString(), "FlinkRunner", 4));
  }

  @Test
  void forFilesNeverRaisesTheTarget() {
    assertEquals(1, PreprocessParallelism.forFiles(2, 1));
    assertEquals(2, PreprocessParallelism.forFiles(2, 5));
    assertEquals(2, PreprocessParallelism.forFiles(2, 0));
  }

  private int targetParallelismAfter(String input, String runner, int target) {
    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setTargetParallelism(target);
    if (runner.equals("FlinkRunner")) {
      // Only the runner's simple name is consulted; a stand-in class of that name will do.
      options.setRunner(FlinkRunner.class);
    }
    PreprocessParallelism.limitToInputFiles(
        options, PreprocessSettings.of(input, tmp.resolve("out").toString(), "y"));
    return options.getTargetParallelism();
  }

  /** A runner class named like Flink's, never run. */
  abstract static class FlinkRunner extends org.apache.beam.sdk.PipelineRunner<org.apache.beam.sdk.PipelineResult> {}
}
