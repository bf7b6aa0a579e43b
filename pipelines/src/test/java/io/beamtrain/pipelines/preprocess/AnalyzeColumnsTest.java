package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beamtrain.pipelines.preprocess.ColumnStatistics.ValueCount;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

class AnalyzeColumnsTest {
  static final DataSchema SCHEMA =
      new DataSchema(
          "y",
          null,
          List.of(
              new DataSchema.Column("x", FeatureType.NUMERIC),
              new DataSchema.Column("c", FeatureType.CATEGORICAL),
              new DataSchema.Column("y", FeatureType.CATEGORICAL)));

  static final List<ParsedRow> ROWS =
      List.of(
          ParsedRow.of("1", "a", "p"),
          ParsedRow.of("2", "b", "q"),
          ParsedRow.of("4", "a", "p"),
          ParsedRow.of(null, "d", "p"),
          ParsedRow.of("8", "c", "r"),
          ParsedRow.of("8", null, "p"),
          ParsedRow.of("-3", "a", "q"),
          ParsedRow.of("0", "b", "q"));

  @Test
  void mergingLeavesTheMergedAccumulatorsAsTheyWere() {
    AnalyzeColumns.StatisticsFn fn =
        new AnalyzeColumns.StatisticsFn(SCHEMA, VocabularyOptions.defaults());
    AnalyzeColumns.Accumulator merged = fn.createAccumulator();
    fn.addInput(merged, ROWS.get(0));
    AnalyzeColumns.Accumulator other = fn.createAccumulator();
    fn.addInput(other, ROWS.get(1)); // "b" and "q", values that merged has not seen
    TableStatistics otherBefore = fn.extractOutput(other);

    fn.mergeAccumulators(List.of(merged, other));
    fn.addInput(merged, ROWS.get(1));

    // Beam lets a merge change only the first accumulator; other may still be read.
    assertEquals(otherBefore, fn.extractOutput(other));
  }

  @Test
  void computesTheStatisticsOfAHandComputation() {
    Pipeline p = DirectPipelines.create();
    PCollection<TableStatistics> stats =
        p.apply(Create.of(ROWS).withCoder(ParsedRowCoder.of())).apply(AnalyzeColumns.of(SCHEMA));
    PAssert.thatSingleton(stats)
        .satisfies(
            s -> {
              assertEquals(8, s.rows());
              ColumnStatistics x = s.column("x");
              // present values 1, 2, 4, 8, 8, -3, 0: sum 20, n 7
              double mean = 20.0 / 7;
              double squares = 0;
              for (double v : new double[] {1, 2, 4, 8, 8, -3, 0}) {
                squares += (v - mean) * (v - mean);
              }
              assertEquals(7, x.present());
              assertEquals(1, x.missing());
              assertEquals(mean, x.mean(), 1e-12);
              assertEquals(Math.sqrt(squares / 7), x.stddev(), 1e-12);
              assertEquals(-3.0, x.min());
              assertEquals(8.0, x.max());
              assertNull(x.vocabulary());

              ColumnStatistics c = s.column("c");
              assertEquals(1, c.missing());
              assertEquals(4L, c.distinct());
              // a 3, b 2, then the ties c 1 and d 1 by value.
              assertEquals(
                  List.of(
                      new ValueCount("a", 3),
                      new ValueCount("b", 2),
                      new ValueCount("c", 1),
                      new ValueCount("d", 1)),
                  c.vocabulary());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void vocabularyThresholdAndTopKCutFeaturesButNeverTheLabel() {
    Pipeline p = DirectPipelines.create();
    PCollection<TableStatistics> stats =
        p.apply(Create.of(ROWS).withCoder(ParsedRowCoder.of()))
            .apply(AnalyzeColumns.of(SCHEMA).withVocabulary(new VocabularyOptions(2, 1)));
    PAssert.thatSingleton(stats)
        .satisfies(
            s -> {
              assertEquals(List.of("a"), s.column("c").vocabularyValues());
              assertEquals(List.of("p", "q", "r"), s.column("y").vocabularyValues());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void emptyInputGivesZeroRows() {
    Pipeline p = DirectPipelines.create();
    PCollection<TableStatistics> stats =
        p.apply(Create.empty(ParsedRowCoder.of())).apply(AnalyzeColumns.of(SCHEMA));
    PAssert.thatSingleton(stats)
        .satisfies(
            s -> {
              assertEquals(0, s.rows());
              assertEquals(0, s.column("x").present());
              assertEquals(List.of(), s.column("c").vocabularyValues());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void accumulatorsSurviveTheCoderAndMergeToTheOnePassResult() throws IOException {
    AnalyzeColumns.StatisticsFn fn =
        new AnalyzeColumns.StatisticsFn(SCHEMA, VocabularyOptions.defaults());
    Coder<AnalyzeColumns.Accumulator> coder = fn.getAccumulatorCoder(null, ParsedRowCoder.of());
    Random random = new Random(3);
    List<ParsedRow> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(
          ParsedRow.of(
              random.nextInt(10) == 0 ? null : Double.toString(random.nextGaussian() * 5 + 1e6),
              random.nextInt(8) == 0 ? null : "v" + random.nextInt(20),
              "k" + random.nextInt(3)));
    }
    AnalyzeColumns.Accumulator whole = fn.createAccumulator();
    rows.forEach(row -> fn.addInput(whole, row));
    List<AnalyzeColumns.Accumulator> parts = new ArrayList<>();
    for (int start = 0; start < rows.size(); start += 333) {
      AnalyzeColumns.Accumulator part = fn.createAccumulator();
      for (ParsedRow row : rows.subList(start, Math.min(rows.size(), start + 333))) {
        fn.addInput(part, row);
      }
      parts.add(roundTrip(coder, part));
    }
    TableStatistics expected = fn.extractOutput(whole);
    TableStatistics actual = fn.extractOutput(fn.mergeAccumulators(parts));
    assertEquals(expected.rows(), actual.rows());
    assertEquals(expected.column("c"), actual.column("c"));
    assertEquals(expected.column("y"), actual.column("y"));
    ColumnStatistics ex = expected.column("x");
    ColumnStatistics ax = actual.column("x");
    assertEquals(ex.present(), ax.present());
    assertEquals(ex.missing(), ax.missing());
    assertEquals(ex.mean(), ax.mean(), 1e-9);
    assertEquals(ex.stddev(), ax.stddev(), 1e-9);
    assertEquals(ex.min(), ax.min());
    assertEquals(ex.max(), ax.max());
  }

  static <T> T roundTrip(Coder<T> coder, T value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    coder.encode(value, out);
    return coder.decode(new ByteArrayInputStream(out.toByteArray()));
  }
}
