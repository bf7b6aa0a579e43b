package io.beamtrain.pipelines.preprocess;

import io.beamtrain.pipelines.preprocess.ColumnStatistics.ValueCount;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

/**
 * The full-pass analyzers: one {@link Combine#globally} over the rows that computes, for every
 * schema column at once, the missing count and either the numeric moments (mean, population
 * stddev, min, max; Welford within a bundle, Chan's formula between bundles, see {@link
 * NumericMoments}) or the value counts that become the vocabulary (see {@link
 * VocabularyOptions}). One accumulator per bundle, so the cost is one pass over the data whatever
 * the number of columns. The label's vocabulary is never cut. An empty input gives statistics with
 * zero rows. Output: a single {@link TableStatistics}.
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
      return SerializableCoder.of(Accumulator.class);
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
  public static final class Accumulator implements Serializable {
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

    void merge(Accumulator other) {
      rows += other.rows;
      for (int i = 0; i < missing.length; i++) {
        missing[i] += other.missing[i];
        if (moments[i] != null) {
          moments[i].merge(other.moments[i]);
        } else {
          for (Map.Entry<String, long[]> entry : other.counts[i].entrySet()) {
            counts[i].merge(
                entry.getKey(), entry.getValue(), (a, b) -> new long[] {a[0] + b[0]});
          }
        }
      }
    }
  }
}
