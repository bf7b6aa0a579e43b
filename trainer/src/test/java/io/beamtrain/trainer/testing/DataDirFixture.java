package io.beamtrain.trainer.testing;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.data.Examples;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.data.TfRecordWriter;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.SplitSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Builds a valid preprocessed data directory -- {@code transform.json} with analyzer results
 * computed over the train split, and GZIP tf.Example shards -- from rows in memory, from a CSV, or
 * from a synthetic generator, without Beam. It follows the same contract as the preprocess
 * pipeline (see {@link TransformSpec}), so trainer tests and benchmarks can run on realistic data.
 *
 * <p>Analyzers: NUMERIC mean and population stddev (as TF Transform's {@code scale_to_z_score}),
 * min, max, missing count over the train rows; CATEGORICAL vocabulary by descending frequency then
 * value over the train rows, missing ({@code ""}) excluded, one OOV bucket; classification label
 * vocabulary sorted by value over all rows; regression label mean/stddev over the train rows.
 *
 * <p>Split: row {@code i} goes to eval when a value derived from (seed, i) falls below {@code
 * evalFraction}; rows of a split go round-robin to its shards. Same input and settings, same
 * bytes.
 *
 * <p>Column types are inferred: a column is NUMERIC when every non-missing value is a {@link
 * Number} or parses as one (null or {@code ""} is missing), else CATEGORICAL. Rows without a
 * label are left out, as the preprocess pipeline rejects them. The
 * label makes the task REGRESSION when numeric, else BINARY or MULTICLASS by its class count,
 * unless {@link Builder#task} says otherwise.
 */
public final class DataDirFixture {
  private DataDirFixture() {}

  /** Rows keyed by column; values are {@link Number}, {@link String} or null (missing). */
  public static Builder fromRows(List<? extends Map<String, ?>> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no rows");
    }
    List<String> columns = new ArrayList<>(rows.get(0).keySet());
    List<Object[]> table = new ArrayList<>(rows.size());
    for (Map<String, ?> row : rows) {
      Object[] values = new Object[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        values[c] = row.get(columns.get(c));
      }
      table.add(values);
    }
    return new Builder(columns, table);
  }

  /**
   * A simple CSV (header line, comma-separated, no quoting: true of the bundled penguins and
   * flights files); every cell is a string, "" means missing.
   */
  public static Builder fromCsv(InputStream csv, String name) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(csv, StandardCharsets.UTF_8))) {
      String header = in.readLine();
      if (header == null) {
        throw new IllegalArgumentException(name + " is empty");
      }
      List<String> columns = List.of(header.split(",", -1));
      List<Object[]> table = new ArrayList<>();
      int lineNumber = 1;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        if (line.isEmpty()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (cells.length != columns.size()) {
          throw new IllegalArgumentException(
              name + " line " + lineNumber + ": " + cells.length + " cells, header has "
                  + columns.size());
        }
        table.add(cells);
      }
      return new Builder(columns, table);
    } catch (IOException e) {
      throw new UncheckedIOException(name, e);
    }
  }

  public static Builder fromCsv(Path csv) {
    try (InputStream in = Files.newInputStream(csv)) {
      return fromCsv(in, csv.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(csv.toString(), e);
    }
  }

  /** A CSV from the test resources (e.g. {@code "penguins.csv"}). */
  public static Builder fromResource(String resource) {
    InputStream in = DataDirFixture.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalArgumentException("no test resource " + resource);
    }
    return fromCsv(in, resource);
  }

  /** The bundled penguins data: label {@code species} (3 classes), with missing cells. */
  public static Builder penguins() {
    return fromResource("penguins.csv").label("species");
  }

  /**
   * Regression data shaped like flights-200k: {@code rows} rows of {@code numericColumns} numeric
   * columns {@code x0..} on different scales (about 2% missing) and label {@code y}, a noisy
   * linear function of them. Deterministic in {@code seed}.
   */
  public static Builder syntheticRegression(int rows, int numericColumns, long seed) {
    List<String> columns = new ArrayList<>();
    for (int c = 0; c < numericColumns; c++) {
      columns.add("x" + c);
    }
    columns.add("y");
    SplittableRandom random = new SplittableRandom(seed);
    double[] weights = new double[numericColumns];
    double[] scales = new double[numericColumns];
    for (int c = 0; c < numericColumns; c++) {
      weights[c] = random.nextDouble(-2, 2);
      scales[c] = Math.pow(10, c % 4);
    }
    List<Object[]> table = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object[] values = new Object[numericColumns + 1];
      double y = 0;
      for (int c = 0; c < numericColumns; c++) {
        double z = random.nextGaussian();
        y += weights[c] * z;
        values[c] = random.nextDouble() < 0.02 ? null : (Object) (float) (z * scales[c] + scales[c]);
      }
      values[numericColumns] = (float) (y + 0.1 * random.nextGaussian());
      table.add(values);
    }
    return new Builder(columns, table).label("y").task(Task.REGRESSION);
  }

  /** What was written: the spec, and the raw rows of each split in shard-interleaved order. */
  public record Written(
      String dataDir,
      TransformSpec spec,
      List<Map<String, Object>> trainRows,
      List<Map<String, Object>> evalRows) {

    /** The eval rows as strings, the way {@code ServingModel.predict} takes them ("" missing). */
    public List<Map<String, String>> evalRowsAsStrings() {
      List<Map<String, String>> out = new ArrayList<>(evalRows.size());
      for (Map<String, Object> row : evalRows) {
        Map<String, String> strings = new LinkedHashMap<>();
        row.forEach((k, v) -> strings.put(k, v == null ? "" : v.toString()));
        out.add(strings);
      }
      return out;
    }
  }

  /** Settings for one data directory; see {@link DataDirFixture} for the defaults' meaning. */
  public static final class Builder {
    private final List<String> columns;
    private final List<Object[]> table;
    private String label;
    private Task task;
    private double evalFraction = 0.2;
    private long seed = 42;
    private int trainShards = 2;
    private int evalShards = 1;
    private String shardSuffix = ".tfrecord.gz";
    private final List<String> ignored = new ArrayList<>();

    private Builder(List<String> columns, List<Object[]> table) {
      this.columns = List.copyOf(columns);
      this.table = table;
    }

    public Builder label(String label) {
      if (!columns.contains(label)) {
        throw new IllegalArgumentException("no column '" + label + "' in " + columns);
      }
      this.label = label;
      return this;
    }

    public Builder task(Task task) {
      this.task = task;
      return this;
    }

    /** Fraction of rows in the eval split (0.2). */
    public Builder evalFraction(double evalFraction) {
      this.evalFraction = evalFraction;
      return this;
    }

    /** Split seed (42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Shard counts (2 train, 1 eval). */
    public Builder shards(int train, int eval) {
      this.trainShards = train;
      this.evalShards = eval;
      return this;
    }

    /** Write plain (not GZIP) shards ({@code .tfrecord}); GZIP is the contract's default. */
    public Builder uncompressed() {
      this.shardSuffix = ".tfrecord";
      return this;
    }

    /** Columns left out of the features. */
    public Builder ignore(String... columns) {
      Collections.addAll(ignored, columns);
      return this;
    }

    /** The transform.json this data gives, without writing anything. */
    public TransformSpec spec() {
      return analyze(splitRows()).spec;
    }

    /** Writes transform.json and the shards under {@code dataDir} (local or gs://). */
    public Written write(String dataDir, StorageConfig config) {
      Objects.requireNonNull(label, "label");
      List<List<Object[]>> splits = splitRows();
      Analysis analysis = analyze(splits);
      TransformSpec spec = analysis.spec;
      Examples examples = Examples.of(spec);
      writeShards(dataDir, config, examples, spec.split().trainFiles(), splits.get(0));
      writeShards(dataDir, config, examples, spec.split().evalFiles(), splits.get(1));
      String transformPath = StoragePaths.join(dataDir, TransformSpec.FILE_NAME);
      Storages.forPath(transformPath, config)
          .writeBytes(transformPath, spec.toJson().getBytes(StandardCharsets.UTF_8));
      return new Written(dataDir, spec, asMaps(splits.get(0)), asMaps(splits.get(1)));
    }

    public Written write(Path dataDir) {
      return write(dataDir.toString(), StorageConfig.defaults());
    }

    private void writeShards(
        String dataDir,
        StorageConfig config,
        Examples examples,
        List<String> files,
        List<Object[]> rows) {
      List<TfRecordWriter> writers = new ArrayList<>();
      try {
        for (String file : files) {
          writers.add(TfRecords.openWriter(StoragePaths.join(dataDir, file), config));
        }
        for (int i = 0; i < rows.size(); i++) {
          Map<String, Object> row = asMap(rows.get(i));
          writers.get(i % writers.size()).write(examples.encode(row, "row " + i));
        }
      } finally {
        writers.forEach(TfRecordWriter::close);
      }
    }

    private List<List<Object[]>> splitRows() {
      Objects.requireNonNull(label, "label: call label(column) first");
      int labelColumn = columns.indexOf(label);
      List<Object[]> train = new ArrayList<>();
      List<Object[]> eval = new ArrayList<>();
      for (int i = 0; i < table.size(); i++) {
        if (isMissing(table.get(i)[labelColumn])) {
          continue;
        }
        double u = (Seeds.mix(seed, i) >>> 11) * 0x1.0p-53;
        (u < evalFraction ? eval : train).add(table.get(i));
      }
      return List.of(train, eval);
    }

    private record Analysis(TransformSpec spec) {}

    private Analysis analyze(List<List<Object[]>> splits) {
      Objects.requireNonNull(label, "label: call label(column) first");
      List<Object[]> train = splits.get(0);
      int labelColumn = columns.indexOf(label);
      List<FeatureSpec> features = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        if (c == labelColumn || ignored.contains(columns.get(c))) {
          continue;
        }
        features.add(
            isNumeric(c) ? numericSpec(columns.get(c), c, train) : categoricalSpec(columns.get(c), c, train));
      }
      Task labelTask = task != null ? task : inferTask(labelColumn);
      LabelSpec labelSpec;
      if (labelTask.isClassification()) {
        TreeSet<String> classes = new TreeSet<>();
        for (Object[] row : table) {
          if (!isMissing(row[labelColumn])) {
            classes.add(row[labelColumn].toString());
          }
        }
        labelSpec = new LabelSpec(label, labelTask, List.copyOf(classes), null, null);
      } else {
        double[] stats = moments(labelColumn, train);
        labelSpec = new LabelSpec(label, labelTask, null, stats[0], stats[1]);
      }
      SplitSpec split =
          new SplitSpec(
              evalFraction,
              seed,
              splits.get(0).size(),
              splits.get(1).size(),
              shardNames("train", trainShards),
              shardNames("eval", evalShards));
      return new Analysis(
          new TransformSpec(TransformSpec.CURRENT_VERSION, labelSpec, features, split));
    }

    private List<String> shardNames(String prefix, int count) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        names.add(String.format("%s-%05d-of-%05d%s", prefix, i, count, shardSuffix));
      }
      return names;
    }

    private Task inferTask(int labelColumn) {
      if (isNumeric(labelColumn)) {
        return Task.REGRESSION;
      }
      TreeSet<String> classes = new TreeSet<>();
      for (Object[] row : table) {
        if (!isMissing(row[labelColumn])) {
          classes.add(row[labelColumn].toString());
        }
      }
      return classes.size() == 2 ? Task.BINARY_CLASSIFICATION : Task.MULTICLASS_CLASSIFICATION;
    }

    private boolean isNumeric(int c) {
      for (Object[] row : table) {
        Object v = row[c];
        if (isMissing(v) || v instanceof Number) {
          continue;
        }
        try {
          Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
          return false;
        }
      }
      return true;
    }

    private FeatureSpec numericSpec(String name, int c, List<Object[]> train) {
      double[] m = moments(c, train);
      return FeatureSpec.numeric(name, m[0], m[1], m[2], m[3], (long) m[4]);
    }

    /** mean, population stddev, min, max, missing count of column c over rows. */
    private double[] moments(int c, List<Object[]> rows) {
      double sum = 0;
      double sumSquares = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      long count = 0;
      long missing = 0;
      for (Object[] row : rows) {
        if (isMissing(row[c])) {
          missing++;
          continue;
        }
        double x = toDouble(row[c]);
        sum += x;
        sumSquares += x * x;
        min = Math.min(min, x);
        max = Math.max(max, x);
        count++;
      }
      double mean = count == 0 ? 0 : sum / count;
      double variance = count == 0 ? 0 : Math.max(0, sumSquares / count - mean * mean);
      return new double[] {
        mean, Math.sqrt(variance), count == 0 ? 0 : min, count == 0 ? 0 : max, missing
      };
    }

    private FeatureSpec categoricalSpec(String name, int c, List<Object[]> train) {
      Map<String, Long> counts = new HashMap<>();
      long missing = 0;
      for (Object[] row : train) {
        if (isMissing(row[c])) {
          missing++;
        } else {
          counts.merge(row[c].toString(), 1L, Long::sum);
        }
      }
      List<String> vocabulary = new ArrayList<>(counts.keySet());
      vocabulary.sort(
          (a, b) -> {
            int byCount = Long.compare(counts.get(b), counts.get(a));
            return byCount != 0 ? byCount : a.compareTo(b);
          });
      return FeatureSpec.categorical(name, vocabulary, 1, missing);
    }

    private Map<String, Object> asMap(Object[] row) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        map.put(columns.get(c), isMissing(row[c]) ? null : row[c]);
      }
      return map;
    }

    private List<Map<String, Object>> asMaps(List<Object[]> rows) {
      List<Map<String, Object>> out = new ArrayList<>(rows.size());
      for (Object[] row : rows) {
        out.add(asMap(row));
      }
      return out;
    }

    private static boolean isMissing(Object v) {
      return v == null || (v instanceof CharSequence text && text.isEmpty());
    }

    private static double toDouble(Object v) {
      return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString());
    }
  }

  /** Keys of a type-checked feature list, for tests that craft records by hand. */
  public static List<String> featureNames(TransformSpec spec, FeatureType type) {
    List<String> out = new ArrayList<>();
    for (FeatureSpec f : spec.features()) {
      if (f.type() == type) {
        out.add(f.name());
      }
    }
    return out;
  }
}
