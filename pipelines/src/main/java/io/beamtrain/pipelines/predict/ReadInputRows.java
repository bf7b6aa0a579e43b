package io.beamtrain.pipelines.predict;

import io.beamtrain.pipelines.preprocess.InputFormat;
import io.beamtrain.pipelines.preprocess.TableReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * with a header or JSON Lines, chosen by file name as in preprocessing, compressed files
 * decompressed by suffix). Every column of the file is kept. Malformed records (wrong cell count,
 * bad quoting, a line that is not a JSON object) leave through {@link #REJECTED} with file, line
 * and reason. A pattern that matches nothing fails the pipeline.
 */
public final class ReadInputRows extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<InputRow> ROWS = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTED = new TupleTag<>() {};

  private final String pattern;
  private final InputFormat format;

  private ReadInputRows(String pattern, InputFormat format) {
    this.pattern = pattern;
    this.format = format;
  }

  public static ReadInputRows from(String pattern, InputFormat format) {
    return new ReadInputRows(pattern, format);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple out = begin
        .apply("Pattern", Create.of(pattern).withCoder(StringUtf8Coder.of()))
        .apply("MatchFiles", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("ReadMatches", FileIO.readMatches())
        .apply("ParseFiles", ParDo.of(new ParseFileFn(format)).withOutputTags(ROWS, TupleTagList.of(REJECTED)));
    out.get(ROWS).setCoder(SerializableCoder.of(InputRow.class));
    out.get(REJECTED).setCoder(SerializableCoder.of(Rejection.class));
    return out;
  }

  private static final class ParseFileFn extends DoFn<FileIO.ReadableFile, InputRow> {
    private final InputFormat format;
    private final Counter malformed = Metrics.counter(Predict.METRICS_NAMESPACE, "rows_rejected");

    ParseFileFn(InputFormat format) {
      this.format = format;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String name = file.getMetadata().resourceId().toString();
      try (BufferedReader text = new BufferedReader(
              new InputStreamReader(Channels.newInputStream(file.open()), StandardCharsets.UTF_8), 1 << 16);
          TableReader reader = format.openAllColumns(name, text)) {
        while (reader.next()) {
          if (reader.problem() != null) {
            malformed.inc();
            out.get(REJECTED).output(new Rejection(
                name, reader.line(), reader.problem().name(), reader.problemDetail(), reader.rawText()));
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
  }
}
