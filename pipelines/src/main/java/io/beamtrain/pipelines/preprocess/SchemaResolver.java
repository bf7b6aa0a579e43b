package io.beamtrain.pipelines.preprocess;

import com.google.api.services.bigquery.model.TableFieldSchema;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the schema of a preprocess run while the pipeline is built: loads the {@code --schema}
 * file, or infers one from the leading rows of the input ({@link SchemaInference}) and prints it so
 * the user can save it; then drops the {@code --ignore} columns. Also checks early what can be
 * checked before any worker starts: a local output is not a file, the input pattern matches files,
 * the label is a column, the first file's header has every schema column, every feature's name
 * can be a TensorFlow input ({@link FeatureNames}). Reads through Beam's {@link FileSystems}, so
 * the input may be local or {@code gs://} (the pipeline options must have been registered, which
 * {@code Pipeline.create} does).
 */
public final class SchemaResolver {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaResolver.class);

  private SchemaResolver() {}

  /** The schema the run will use; errors are {@link IllegalArgumentException}s naming the flag. */
  public static DataSchema resolve(PreprocessSettings settings) {
    return resolve(settings, null);
  }

  /**
   * The schema the run will use, of BigQuery input when {@code bigQuery} is given: the schema
   * file's, else the table's (or query result's) own.
   */
  public static DataSchema resolve(PreprocessSettings settings, BigQueryRead bigQuery) {
    OutputDirectory.check(settings.output(), settings.dataDir());
    if (bigQuery != null) {
      if (settings.schemaFile() == null) {
        return declared(settings, bigQuery); // checks the feature names, as for typed files
      }
      DataSchema schema = load(settings).withoutColumns(settings.ignore());
      FeatureNames.check(schema);
      return schema;
    }
    List<ResourceId> files = match(settings.input());
    DataSchema schema;
    if (settings.schemaFile() != null) {
      schema = load(settings).withoutColumns(settings.ignore());
      FeatureNames.check(schema);
      checkFirstFileHasColumns(settings, files.get(0), schema);
    } else if (settings.inputFormat().resolve(files.get(0).toString()).isTyped()) {
      schema = declared(settings, files.get(0));
    } else {
      SchemaInference.Inference inference = infer(settings, files);
      schema = inference.schema().withoutColumns(settings.ignore());
      FeatureNames.check(schema);
      LOG.info("Inferred the schema of {} from its first rows: {}. A successful run writes it to"
              + " {}; pass --schema=<that file> to pin it (or edit a column's type).",
          settings.input(), summary(schema, inference.nonNumeric()),
          StoragePaths.join(settings.dataDir(), WriteMetadata.SCHEMA_FILE_NAME));
    }
    return schema;
  }

  /** One line: the label and its type, then the columns of each type, in schema order. */
  static String summary(DataSchema schema) {
    return summary(schema, Map.of());
  }

  /**
   * {@link #summary(DataSchema)}, then for each NUMERIC column whose sample also held other
   * values how many, and what becomes of their rows.
   */
  static String summary(DataSchema schema, Map<String, SchemaInference.NonNumeric> nonNumeric) {
    StringBuilder line = new StringBuilder(typesSummary(schema));
    nonNumeric.forEach((column, others) -> {
      if (schema.columnNames().contains(column)) {
        line.append("; ").append(column).append(" is NUMERIC although ").append(others.count())
            .append(" of its ").append(others.values()).append(" sampled values are not numbers")
            .append(" (e.g. '").append(String.join("', '", others.examples())).append("'):")
            .append(" their rows are rejected as ").append(RejectReason.UNPARSABLE_NUMBER);
      }
    });
    return line.toString();
  }

  private static String typesSummary(DataSchema schema) {
    StringBuilder line = new StringBuilder("label ").append(schema.label());
    Map<FeatureType, List<String>> byType = new EnumMap<>(FeatureType.class);
    for (DataSchema.Column column : schema.columns()) {
      if (column.name().equals(schema.label())) {
        line.append(" (").append(column.type()).append(')');
      } else {
        byType.computeIfAbsent(column.type(), t -> new ArrayList<>()).add(column.name());
      }
    }
    byType.forEach((type, names) ->
        line.append("; ").append(type).append(": ").append(String.join(", ", names)));
    return line.toString();
  }

  /** The files matching {@code pattern}, sorted by name; none is an error naming the flag. */
  static List<ResourceId> match(String pattern) {
    MatchResult match;
    try {
      match = FileSystems.match(pattern);
    } catch (IOException e) {
      throw new UncheckedIOException("--input=" + pattern + ": cannot list files", e);
    }
    List<ResourceId> files = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      try {
        for (MatchResult.Metadata metadata : match.metadata()) {
          files.add(metadata.resourceId());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("--input=" + pattern + ": cannot list files", e);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("--input=" + pattern + " matches no file");
    }
    files.sort(Comparator.comparing(ResourceId::toString));
    return files;
  }

  private static DataSchema load(PreprocessSettings settings) {
    String path = settings.schemaFile();
    String text;
    try {
      text =
          new String(
              Storages.forPath(path, settings.storageConfig()).readBytes(path),
              StandardCharsets.UTF_8);
    } catch (StorageException e) {
      throw new IllegalArgumentException("--schema=" + path + ": " + e.getMessage(), e);
    }
    DataSchema schema = DataSchema.parse(text, path);
    if (!schema.label().equals(settings.label())) {
      throw new IllegalArgumentException(
          "--label="
              + settings.label()
              + " but the schema file "
              + path
              + " names the label '"
              + schema.label()
              + "'");
    }
    return schema;
  }

  /**
   * The schema a Parquet or Avro file declares (types mapped by {@link AvroColumn}), without the
   * {@code --ignore} columns; a column that cannot be a feature must be ignored.
   */
  private static DataSchema declared(PreprocessSettings settings, ResourceId file) {
    try (TableReader reader =
        settings.inputFormat().openAllColumns(InputFile.of(file), settings.csvDialect())) {
      return declared(settings, file.toString(), reader.declaredTypes(),
          reader.unsupportedColumns());
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
  }

  /**
   * The schema of a BigQuery table or query result (types mapped by {@link BigQueryColumn}),
   * without the {@code --ignore} columns; a query's comes from a dry run.
   */
  static DataSchema declared(PreprocessSettings settings, BigQueryRead read) {
    List<TableFieldSchema> fields = read.fields();
    Map<String, FeatureType> types = new LinkedHashMap<>();
    Map<String, String> unsupported = new LinkedHashMap<>();
    for (TableFieldSchema field : fields) {
      String why = BigQueryColumn.why(field);
      if (why == null) {
        types.put(field.getName(), BigQueryColumn.typeOf(field));
      } else {
        unsupported.put(field.getName(), why);
      }
    }
    return declared(settings, read.name(), types, unsupported);
  }

  /** A declared schema (Parquet, Avro, BigQuery) less {@code --ignore}; shared rules. */
  private static DataSchema declared(
      PreprocessSettings settings, String source, Map<String, FeatureType> types,
      Map<String, String> unsupported) {
    for (Map.Entry<String, String> column : unsupported.entrySet()) {
      if (!settings.ignore().contains(column.getKey())) {
        throw new BadInputException(source + ": column '" + column.getKey() + "' is "
            + column.getValue() + ", which cannot be a feature; pass --ignore=" + column.getKey()
            + " or derive a scalar column");
      }
    }
    if (!types.containsKey(settings.label())) {
      throw new UsageException("--label=" + settings.label() + ": " + source
          + " has no such column; its columns: " + List.copyOf(types.keySet()));
    }
    List<DataSchema.Column> columns = new ArrayList<>();
    types.forEach((name, type) -> columns.add(new DataSchema.Column(name, type)));
    List<String> ignored =
        settings.ignore().stream().filter(name -> !unsupported.containsKey(name)).toList();
    DataSchema schema = new DataSchema(settings.label(), null, columns).withoutColumns(ignored);
    FeatureNames.check(schema);
    LOG.info("Took the schema of {} from its own schema: {}. A successful run writes it to {};"
            + " pass --schema=<that file> to pin it (or edit a column's type).",
        source, summary(schema),
        StoragePaths.join(settings.dataDir(), WriteMetadata.SCHEMA_FILE_NAME));
    return schema;
  }

  private static void checkFirstFileHasColumns(
      PreprocessSettings settings, ResourceId file, DataSchema schema) {
    try (TableReader ignored =
        settings.inputFormat().open(
            InputFile.of(file), schema.columnNames(), settings.csvDialect())) {
      // Opening a reader checks its header (CSV) or schema (Parquet, Avro) against the columns.
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
  }

  private static SchemaInference.Inference infer(
      PreprocessSettings settings, List<ResourceId> files) {
    List<String[]> rows = new ArrayList<>();
    List<String> columns = List.of();
    ResourceId sampled = files.get(0);
    for (ResourceId file : files) {
      try (TableReader reader =
          settings.inputFormat().openAllColumns(InputFile.of(file), settings.csvDialect())) {
        while (rows.size() < SchemaInference.SAMPLE_ROWS && reader.next()) {
          if (reader.problem() == null) {
            rows.add(reader.takeValues());
          }
        }
        columns = List.copyOf(reader.columns());
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot read", e);
      }
      if (!columns.isEmpty()) {
        sampled = file;
        break;
      }
    }
    if (columns.isEmpty()) {
      throw new IllegalArgumentException(
          "--input=" + settings.input() + ": every matching file is empty; nothing to preprocess");
    }
    return SchemaInference.run(columns, rows, settings.label(), sampled.toString());
  }
}
