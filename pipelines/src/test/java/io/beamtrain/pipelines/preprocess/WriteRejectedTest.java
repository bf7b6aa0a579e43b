package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteRejected}: one file of JSON lines in input order, none without rejected rows. */
class WriteRejectedTest {
  @TempDir Path tmp;

  @Test
  void linesAreInInputFileAndLineOrder() throws Exception {
    List<RejectedRow> rows = new ArrayList<>();
    for (int line = 40; line >= 2; line--) {
      rows.add(new RejectedRow(line % 2 == 0 ? "b.csv" : "a.csv", line,
          RejectReason.WRONG_COLUMN_COUNT, "3 cells", "x,y,z"));
    }
    Path dataDir = tmp.resolve("data");
    Pipeline p = DirectPipelines.create();
    rows.add(new RejectedRow("a.csv", 41, RejectReason.BAD_QUOTING, "quote", "\"x"));
    PCollection<WriteRejected.Written> written =
        p.apply(Create.of(rows).withCoder(RejectedRowCoder.of()))
            .apply(WriteRejected.to(dataDir.toString()));
    // The one file, with its rows counted by reason (what stats.json and the share check read).
    PAssert.that(written)
        .containsInAnyOrder(
            new WriteRejected.Written(
                dataDir.resolve("rejected/rejected-00000-of-00001.jsonl").toString(),
                Map.of("WRONG_COLUMN_COUNT", 39L, "BAD_QUOTING", 1L)));
    p.run().waitUntilFinish();

    List<String> expected = new ArrayList<>();
    rows.stream().sorted(WriteRejected.ORDER).forEach(row -> expected.add(row.toJsonLine()));
    assertEquals(expected.get(0), rows.get(rows.size() - 3).toJsonLine()); // a.csv, line 3
    assertEquals(
        expected, Files.readAllLines(dataDir.resolve("rejected/rejected-00000-of-00001.jsonl")));
  }

  @Test
  void noRejectedRowWritesNoFile() {
    Path dataDir = tmp.resolve("data");
    Pipeline p = DirectPipelines.create();
    p.apply(Create.empty(RejectedRowCoder.of())).apply(WriteRejected.to(dataDir.toString()));
    p.run().waitUntilFinish();
    assertFalse(Files.exists(dataDir.resolve("rejected/rejected-00000-of-00001.jsonl")));
  }
}
