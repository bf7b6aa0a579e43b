package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

class SplitExamplesTest {

  static List<ParsedRow> rows(int n) {
    List<ParsedRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(ParsedRow.of(Integer.toString(i), i % 3 == 0 ? null : "c" + (i % 7), "y" + i % 2));
    }
    return rows;
  }

  /** Which rows go to eval, computed outside Beam from the documented rule. */
  static Set<ParsedRow> evalRows(List<ParsedRow> rows, double fraction, long seed) {
    RowFingerprint fingerprint = new RowFingerprint(seed);
    Set<ParsedRow> eval = new HashSet<>();
    for (ParsedRow row : rows) {
      if (RowFingerprint.toUnitInterval(fingerprint.of(row)) < fraction) {
        eval.add(row);
      }
    }
    return eval;
  }

  @Test
  void theSplitIsTheSameWhateverTheInputOrderAndBundling() {
    List<ParsedRow> rows = rows(2000);
    Set<ParsedRow> expectedEval = evalRows(rows, 0.2, 42);
    List<ParsedRow> expectedTrain = new ArrayList<>(rows);
    expectedTrain.removeAll(expectedEval);
    for (long shuffleSeed : new long[] {1, 2}) {
      List<ParsedRow> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new Random(shuffleSeed));
      Pipeline p = DirectPipelines.create();
      PCollectionTuple split =
          p.apply(Create.of(shuffled).withCoder(ParsedRowCoder.of()))
              .apply(SplitExamples.create().withEvalFraction(0.2).withSeed(42));
      PAssert.that(split.get(SplitExamples.EVAL)).containsInAnyOrder(expectedEval);
      PAssert.that(split.get(SplitExamples.TRAIN)).containsInAnyOrder(expectedTrain);
      p.run().waitUntilFinish();
    }
  }

  @Test
  void theEvalShareIsTheFractionUpToSamplingNoise() {
    List<ParsedRow> rows = rows(20_000);
    for (double fraction : new double[] {0.1, 0.2, 0.5}) {
      int eval = evalRows(rows, fraction, 42).size();
      double sigma = Math.sqrt(rows.size() * fraction * (1 - fraction));
      assertTrue(
          Math.abs(eval - rows.size() * fraction) < 4 * sigma,
          "fraction " + fraction + " gave " + eval + " eval rows of " + rows.size());
    }
    assertEquals(0, evalRows(rows, 0.0, 42).size());
  }

  @Test
  void anotherSeedGivesAnotherSplit() {
    List<ParsedRow> rows = rows(1000);
    assertNotEquals(evalRows(rows, 0.2, 42), evalRows(rows, 0.2, 43));
    assertEquals(evalRows(rows, 0.2, 42), evalRows(rows, 0.2, 42));
  }

  @Test
  void theFingerprintIsFarmHashOfTheDocumentedKey() {
    ParsedRow row = ParsedRow.of("Zürich", null, "日本", "emoji \uD83D\uDE00");
    String key = "42" + "\u001fZürich" + "\u001f" + "\u001f日本" + "\u001femoji \uD83D\uDE00";
    long expected =
        Hashing.farmHashFingerprint64().hashBytes(key.getBytes(StandardCharsets.UTF_8)).asLong();
    assertEquals(expected, new RowFingerprint(42).of(row));
    RowFingerprint reused = new RowFingerprint(42);
    reused.of(ParsedRow.of("x".repeat(1000)));
    assertEquals(expected, reused.of(row), "the reused buffer must not leak into the next row");
  }

  @Test
  void fractionOutsideTheRangeNamesTheFlag() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SplitExamples.create().withEvalFraction(1.0));
    assertTrue(e.getMessage().contains("--evalFraction"));
  }
}
