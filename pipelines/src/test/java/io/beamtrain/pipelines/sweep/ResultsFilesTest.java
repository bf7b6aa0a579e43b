package io.beamtrain.pipelines.sweep;

import static io.beamtrain.pipelines.testing.TrialResults.completed;
import static io.beamtrain.pipelines.testing.TrialResults.failed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFilesTest {
  @TempDir Path tmp;

  @Test
  void jsonlIsSortedByTrialAndReadsBack() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    List<TrialResult> results = ResultsFiles.sorted(List.of(
        completed("trial-0002", "eval_loss", 0.2),
        failed("trial-0000", "bad, \"quoted\" input"),
        completed("trial-0001", "eval_loss", 0.1)));
    ResultsFiles.write(layout, results, StorageConfig.defaults());

    List<String> lines = Files.readAllLines(tmp.resolve("results.jsonl"));
    assertEquals(3, lines.size());
    assertTrue(lines.get(0).startsWith("{\"trial\":\"trial-0000\""), lines.get(0));
    assertTrue(lines.get(2).startsWith("{\"trial\":\"trial-0002\""), lines.get(2));
    assertEquals(results, ResultsFiles.read(layout, StorageConfig.defaults()));

    List<String> csv = Files.readAllLines(tmp.resolve("results.csv"));
    assertEquals("trial,status,steps,best_step,seed,eval_loss,param.learning_rate,elapsed_seconds,error",
        csv.get(0));
    assertEquals("trial-0000,FAILED,0,,7,,0.01,0.100,\"bad, \"\"quoted\"\" input\"", csv.get(1));
    assertEquals("trial-0001,COMPLETED,100,100,7,0.1,0.01,1.500,", csv.get(2));
  }

  @Test
  void withoutResultsJsonlTheTrialsResultFilesAreRead() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    TrialResult one = completed("trial-0001", "eval_loss", 0.1);
    TrialResult zero = completed("trial-0000", "eval_loss", 0.3);
    for (TrialResult r : List.of(one, zero)) {
      Path file = Path.of(layout.resultJson(r.trial()));
      Files.createDirectories(file.getParent());
      Files.writeString(file, r.toPrettyJson());
    }
    assertEquals(List.of(zero, one), ResultsFiles.read(layout, StorageConfig.defaults()));
    assertEquals(List.of(), ResultsFiles.read(new OutputLayout(tmp.resolve("empty").toString()),
        StorageConfig.defaults()));
  }
}
