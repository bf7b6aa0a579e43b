package io.beamtrain.pipelines.preprocess;

import io.beamtrain.pipelines.preprocess.ColumnStatistics.ValueCount;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.PCollection;

/**
 * The full-pass analyzers: one {@link Combine#globally} over the rows that computes, for every
 * schema column at once, the missing count and either the numeric moments (mean, population
 * stddev, min, max; Welford within a bundle, Chan's formula between bundles, see {@link
 * NumericMoments}) or the value counts that become the vocabulary (see {@link
 * VocabularyOptions}). One accumulator per bundle, so the cost is one pass over the data whatever
 * the number of columns. The label's vocabulary is never cut. An empty input gives statistics with
 * zero rows. Output: a single {@link TableStatistics}.
 *
 * <p>Each accumulator holds every distinct value of every CATEGORICAL column with its count, so
 * the distinct values of a column must fit in a worker's memory (millions do; an id column with
 * billions of values should be ignored or declared NUMERIC). tf.Transform's distributed {@code
 * vocabulary} analyzer lifts that limit at the cost of a shuffle per column.
 */
public final class AnalyzeColumns
    extends PTransform<PCollection<ParsedRow>, PCollection<TableStatistics>> {
  private final DataSchema schema;
  private final VocabularyOptions vocabulary;

  private AnalyzeColumns(DataSchema schema, VocabularyOptions vocabulary) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
  }

  /** Analyzes rows of {@code schema} with the default {@link VocabularyOptions}. */
  public static AnalyzeColumns of(DataSchema schema) {
    return new AnalyzeColumns(schema, VocabularyOptions.defaults());
  }

  public AnalyzeColumns withVocabulary(VocabularyOptions options) {
    return new AnalyzeColumns(schema, options);
  }

  @Override
  public PCollection<TableStatistics> expand(PCollection<ParsedRow> rows) {
    return rows.apply("Combine", Combine.globally(new StatisticsFn(schema, vocabulary)))
        .setCoder(SerializableCoder.of(TableStatistics.class));
  }

  /**
   * The statistics of partial {@link Accumulator}s that another step built with a {@link
   * StatisticsFn} of the same schema ({@link ParseAndWrite} builds one per file and split): what
   * {@link AnalyzeColumns} gives over their rows, without the rows being elements. The partials
   * are merged into a fresh accumulator and never changed, so one partial gives exactly its own
   * statistics.
   */
  public static PTransform<PCollection<Accumulator>, PCollection<TableStatistics>> mergePartials(
      DataSchema schema, VocabularyOptions vocabulary) {
    return mergePartials(schema, vocabulary, false);
  }

  /**
   * {@link #mergePartials(DataSchema, VocabularyOptions)}, for an input that always holds at least
   * one partial when {@code atLeastOnePartial} ({@link ParseAndWrite} gives one per file and split,
   * and a pattern that matches no file fails the run). Then the combine leaves out the steps that
   * would produce the statistics of no row for an empty input (a side input of the output, an
   * empty element, a flatten): on the DirectRunner they are a scheduling round of their own.
   */
  static PTransform<PCollection<Accumulator>, PCollection<TableStatistics>> mergePartials(
      DataSchema schema, VocabularyOptions vocabulary, boolean atLeastOnePartial) {
    MergePartialsFn merge = new MergePartialsFn(new StatisticsFn(schema, vocabulary));
    return new PTransform<>() {
      @Override
      public PCollection<TableStatistics> expand(PCollection<Accumulator> partials) {
        Combine.Globally<Accumulator, TableStatistics> combine = Combine.globally(merge);
        return partials
            .apply("MergePartials", atLeastOnePartial ? combine.withoutDefaults() : combine)
            .setCoder(SerializableCoder.of(TableStatistics.class));
      }
    };
  }

  /** Merges partial accumulators into its own; reads its inputs, never changes them. */
  private static final class MergePartialsFn
      extends Combine.CombineFn<Accumulator, Accumulator, TableStatistics> {
    private final StatisticsFn statistics;

    MergePartialsFn(StatisticsFn statistics) {
      this.statistics = statistics;
    }

    @Override
    public Accumulator createAccumulator() {
      return statistics.createAccumulator();
    }

    @Override
    public Accumulator addInput(Accumulator accumulator, Accumulator partial) {
      accumulator.merge(partial);
      return accumulator;
    }

    @Override
    public Accumulator mergeAccumulators(Iterable<Accumulator> accumulators) {
      return statistics.mergeAccumulators(accumulators);
    }

    @Override
    public TableStatistics extractOutput(Accumulator accumulator) {
      return statistics.extractOutput(accumulator);
    }

    @Override
    public Coder<Accumulator> getAccumulatorCoder(
        CoderRegistry registry, Coder<Accumulator> inputCoder) {
      return statistics.accumulatorCoder();
    }
  }

  /** The combiner itself, usable on its own (e.g. in a test or a keyed combine). */
  public static final class StatisticsFn
      extends Combine.CombineFn<ParsedRow, Accumulator, TableStatistics> {
    private final String[] names;
    private final boolean[] numeric;
    private final int labelIndex;
    private final VocabularyOptions vocabulary;

    public StatisticsFn(DataSchema schema, VocabularyOptions vocabulary) {
      this.names = schema.columnNames().toArray(new String[0]);
      this.numeric = new boolean[names.length];
      for (int i = 0; i < names.length; i++) {
        numeric[i] = schema.columns().get(i).type() == FeatureType.NUMERIC;
      }
      this.labelIndex = schema.labelIndex();
      this.vocabulary = vocabulary;
    }

    @Override
    public Accumulator createAccumulator() {
      return new Accumulator(numeric);
    }

    @Override
    public Accumulator addInput(Accumulator accumulator, ParsedRow row) {
      accumulator.add(row);
      return accumulator;
    }

    @Override
    public Accumulator mergeAccumulators(Iterable<Accumulator> accumulators) {
      Accumulator merged = null;
      for (Accumulator accumulator : accumulators) {
        if (merged == null) {
          merged = accumulator;
        } else {
          merged.merge(accumulator);
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public TableStatistics extractOutput(Accumulator accumulator) {
      List<ColumnStatistics> columns = new ArrayList<>(names.length);
      for (int i = 0; i < names.length; i++) {
        long missing = accumulator.missing[i];
        if (numeric[i]) {
          columns.add(ColumnStatistics.numeric(names[i], missing, accumulator.moments[i]));
        } else {
          Map<String, long[]> counts = accumulator.counts[i];
          VocabularyOptions options = i == labelIndex ? VocabularyOptions.everything() : vocabulary;
          columns.add(
              ColumnStatistics.categorical(
                  names[i],
                  accumulator.rows - missing,
                  missing,
                  counts.size(),
                  vocabulary(counts, options)));
        }
      }
      return new TableStatistics(accumulator.rows, columns);
    }

    @Override
    public Coder<Accumulator> getAccumulatorCoder(
        CoderRegistry registry, Coder<ParsedRow> inputCoder) {
      return accumulatorCoder();
    }

    /** The coder of this combiner's accumulators. */
    public Coder<Accumulator> accumulatorCoder() {
      return new AccumulatorCoder(numeric);
    }

    private static List<ValueCount> vocabulary(
        Map<String, long[]> counts, VocabularyOptions options) {
      List<ValueCount> entries = new ArrayList<>(counts.size());
      for (Map.Entry<String, long[]> entry : counts.entrySet()) {
        if (entry.getValue()[0] >= options.minFrequency()) {
          entries.add(new ValueCount(entry.getKey(), entry.getValue()[0]));
        }
      }
      entries.sort(
          Comparator.comparingLong(ValueCount::count).reversed()
              .thenComparing(ValueCount::value));
      return options.topK() > 0 && entries.size() > options.topK()
          ? entries.subList(0, options.topK())
          : entries;
    }
  }

  /** Per-column running state; mutable, one per bundle. */
  public static final class Accumulator {
    private long rows;
    private final long[] missing;
    private final NumericMoments[] moments;
    private final Map<String, long[]>[] counts;

    @SuppressWarnings("unchecked")
    Accumulator(boolean[] numeric) {
      this.missing = new long[numeric.length];
      this.moments = new NumericMoments[numeric.length];
      this.counts = new Map[numeric.length];
      for (int i = 0; i < numeric.length; i++) {
        if (numeric[i]) {
          moments[i] = new NumericMoments();
        } else {
          counts[i] = new HashMap<>();
        }
      }
    }

    void add(ParsedRow row) {
      rows++;
      for (int i = 0; i < missing.length; i++) {
        String value = row.get(i);
        if (value == null) {
          missing[i]++;
        } else if (moments[i] != null) {
          moments[i].add(Double.parseDouble(value));
        } else {
          long[] count = counts[i].get(value);
          if (count == null) {
            counts[i].put(value, new long[] {1});
          } else {
            count[0]++;
          }
        }
      }
    }

    @Override
    public String toString() {
      return "Accumulator{rows=" + rows + "}";
    }

    void merge(Accumulator other) {
      rows += other.rows;
      for (int i = 0; i < missing.length; i++) {
        missing[i] += other.missing[i];
        if (moments[i] != null) {
          moments[i].merge(other.moments[i]);
        } else {
          // Never shares other's count arrays: a later add to this accumulator would change
          // other's counts too, and other may still be read (Beam only lets the first be changed).
          for (Map.Entry<String, long[]> entry : other.counts[i].entrySet()) {
            long[] count = counts[i].get(entry.getKey());
            if (count == null) {
              counts[i].put(entry.getKey(), new long[] {entry.getValue()[0]});
            } else {
              count[0] += entry.getValue()[0];
            }
          }
        }
      }
    }
  }

  /**
   * Encodes an {@link Accumulator} field by field; the column kinds come from the schema, so they
   * are not encoded. Accumulators cross the wire between the partial and the final combine.
   */
  static final class AccumulatorCoder extends CustomCoder<Accumulator> {
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final DoubleCoder DOUBLE = DoubleCoder.of();

    private final boolean[] numeric;

    AccumulatorCoder(boolean[] numeric) {
      this.numeric = numeric.clone();
    }

    @Override
    public void encode(Accumulator accumulator, OutputStream out) throws IOException {
      VarInt.encode(accumulator.rows, out);
      for (int i = 0; i < numeric.length; i++) {
        VarInt.encode(accumulator.missing[i], out);
        if (numeric[i]) {
          NumericMoments moments = accumulator.moments[i];
          VarInt.encode(moments.count(), out);
          DOUBLE.encode(moments.mean(), out);
          DOUBLE.encode(moments.sumOfSquaredDeviations(), out);
          DOUBLE.encode(moments.rawMin(), out);
          DOUBLE.encode(moments.rawMax(), out);
        } else {
          Map<String, long[]> counts = accumulator.counts[i];
          VarInt.encode(counts.size(), out);
          for (Map.Entry<String, long[]> entry : counts.entrySet()) {
            STRING.encode(entry.getKey(), out);
            VarInt.encode(entry.getValue()[0], out);
          }
        }
      }
    }

    @Override
    public Accumulator decode(InputStream in) throws IOException {
      Accumulator accumulator = new Accumulator(numeric);
      accumulator.rows = VarInt.decodeLong(in);
      for (int i = 0; i < numeric.length; i++) {
        accumulator.missing[i] = VarInt.decodeLong(in);
        if (numeric[i]) {
          long count = VarInt.decodeLong(in);
          accumulator.moments[i] =
              NumericMoments.restore(
                  count, DOUBLE.decode(in), DOUBLE.decode(in), DOUBLE.decode(in),
                  DOUBLE.decode(in));
        } else {
          int size = VarInt.decodeInt(in);
          Map<String, long[]> counts = accumulator.counts[i];
          for (int k = 0; k < size; k++) {
            counts.put(STRING.decode(in), new long[] {VarInt.decodeLong(in)});
          }
        }
      }
      return accumulator;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AccumulatorCoder other && Arrays.equals(numeric, other.numeric);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(numeric);
    }
  }
}
