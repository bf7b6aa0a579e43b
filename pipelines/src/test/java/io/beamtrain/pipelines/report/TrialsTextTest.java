package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --format=table}: the trials best first, columns lined up, importance last. */
class TrialsTextTest {
  @TempDir Path dir;

  @Test
  void rowsBestFirstWithAlignedColumnsAndImportance() {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    SweepSnapshot snapshot = SweepReader.read(dir.toString(), StorageConfig.defaults(), null, Clock.systemUTC());
    String text = TrialsText.render(snapshot);
    List<String> lines = text.lines().toList();
    System.out.print(text);

    assertEquals(1 + 1 + 12 + 1, lines.size(), text);
    String header = lines.get(1);
    assertTrue(header.startsWith("rank  trial"), header);
    assertTrue(header.contains("eval_accuracy") && header.contains("learning_rate") && header.contains("optimizer"));
    assertTrue(lines.get(2).startsWith("1 "), lines.get(2));
    assertTrue(lines.get(2).contains(fixture.best().trial()), lines.get(2));
    // The failed trial has no rank and comes last.
    assertTrue(lines.get(13).startsWith("- ") && lines.get(13).contains("FAILED"), lines.get(13));
    // Columns line up: each header name starts where the values of its column start.
    int status = header.indexOf("status");
    for (String row : lines.subList(2, 14)) {
      assertTrue(Character.isLetter(row.charAt(status)) && row.charAt(status - 1) == ' ', row);
    }
    assertTrue(lines.get(14).startsWith("importance (PED-ANOVA): learning_rate "), lines.get(14));
  }
}
