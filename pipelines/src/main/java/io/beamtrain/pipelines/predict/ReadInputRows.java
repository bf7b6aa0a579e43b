package io.beamtrain.pipelines.predict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.beamtrain.pipelines.preprocess.CsvDialect;
import io.beamtrain.pipelines.preprocess.InputFile;
import io.beamtrain.pipelines.preprocess.InputFormat;
import io.beamtrain.pipelines.preprocess.TableReader;
import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads raw rows to score from every file matching a pattern (local or gs://, globs allowed, CSV
 * with a header, JSON Lines, Parquet or Avro, chosen by file name as in preprocessing, compressed files
 * decompressed by suffix). Every column of the file is kept. Malformed records (wrong cell count,
 * bad quoting, a line that is not a JSON object) leave through {@link #REJECTED} with file, line
 * and reason. A pattern that matches nothing fails the pipeline.
 *
 * <p>{@link #requiring} names the columns the model takes. A CSV file whose header (a Parquet or
 * Avro file whose schema) lacks one fails
 * the pipeline with a {@link BadInputException} naming the file and column (whole-file mistakes
 * are the user's, not a row's; {@link CsvHeaders} checks the same before the pipeline starts). A
 * JSON Lines row lacking one of those keys is rejected as {@value #MISSING_FIELD} naming the keys;
 * a key that is present with {@code null} is a missing value, as an empty CSV cell is. Counter
 * {@code rows_read} counts every record, so {@code rows_read == rows_scored + rows_rejected}.
 */
public final class ReadInputRows extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<InputRow> ROWS = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTED = new TupleTag<>() {};
  /** The rejection reason of a JSON Lines row that lacks a key the model takes. */
  public static final String MISSING_FIELD = "MISSING_FIELD";

  private final String pattern;
  private final InputFormat format;
  private final List<String> required;

  private ReadInputRows(String pattern, InputFormat format, List<String> required) {
    this.pattern = pattern;
    this.format = format;
    this.required = List.copyOf(required);
  }

  public static ReadInputRows from(String pattern, InputFormat format) {
    return new ReadInputRows(pattern, format, List.of());
  }

  /** Every row must have these columns (the model's inputs); see the class comment. */
  public ReadInputRows requiring(List<String> columns) {
    return new ReadInputRows(pattern, format, columns);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple out = begin
        .apply("Pattern", Create.of(pattern).withCoder(StringUtf8Coder.of()))
        .apply("MatchFiles", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("ReadMatches", FileIO.readMatches())
        .apply("ParseFiles", ParDo.of(new ParseFileFn(format, required)).withOutputTags(ROWS, TupleTagList.of(REJECTED)));
    out.get(ROWS).setCoder(SerializableCoder.of(InputRow.class));
    out.get(REJECTED).setCoder(SerializableCoder.of(Rejection.class));
    return out;
  }

  private static final class ParseFileFn extends DoFn<FileIO.ReadableFile, InputRow> {
    private static final JsonFactory JSON = new JsonFactory();

    private final InputFormat format;
    private final List<String> required;
    private final Counter read = Metrics.counter(Predict.METRICS_NAMESPACE, "rows_read");
    private final Counter malformed = Metrics.counter(Predict.METRICS_NAMESPACE, "rows_rejected");

    ParseFileFn(InputFormat format, List<String> required) {
      this.format = format;
      this.required = required;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String name = file.getMetadata().resourceId().toString();
      // Bytes, not a decoding Reader: a row that is not UTF-8 is rejected (INVALID_ENCODING, with
      // its byte offset) instead of being scored with U+FFFD in its values, as in preprocess.
      // Parquet and Avro files have a schema: like a CSV header, it must have the model's inputs.
      try (TableReader reader = format.openAllColumns(InputFile.of(file), CsvDialect.STRICT)) {
        boolean json = format.resolve(name) == InputFormat.JSONL;
        if (!json) {
          CsvHeaders.check(name, reader.columns(), required);
        }
        while (reader.next()) {
          read.inc();
          if (reader.problem() != null) {
            malformed.inc();
            out.get(REJECTED).output(new Rejection(
                name, reader.line(), reader.problem().name(), reader.problemDetail(), reader.rawText()));
            continue;
          }
          List<String> lacking = json ? lackingKeys(reader.rawText()) : List.of();
          if (!lacking.isEmpty()) {
            malformed.inc();
            out.get(REJECTED).output(new Rejection(name, reader.line(), MISSING_FIELD,
                "lacks field(s) " + lacking + " that the model takes (send null for a missing value)",
                reader.rawText()));
            continue;
          }
          String[] values = reader.takeValues();
          List<String> columns = reader.columns();
          Map<String, String> cells = new LinkedHashMap<>();
          for (int i = 0; i < values.length; i++) {
            cells.put(columns.get(i), values[i]);
          }
          out.get(ROWS).output(new InputRow(name, reader.line(), cells));
        }
      }
    }

    /**
     * The required keys this JSON object (already checked well-formed by the reader) does not
     * have. The reader gives absent and null keys alike as null cells, so the line's own field
     * names tell them apart.
     */
    private List<String> lackingKeys(String line) throws IOException {
      if (required.isEmpty()) {
        return List.of();
      }
      Set<String> present = new HashSet<>();
      try (JsonParser parser = JSON.createParser(line)) {
        parser.nextToken();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          present.add(parser.currentName());
          parser.nextToken();
          parser.skipChildren();
        }
      }
      return required.stream().filter(column -> !present.contains(column)).toList();
    }
  }
}
