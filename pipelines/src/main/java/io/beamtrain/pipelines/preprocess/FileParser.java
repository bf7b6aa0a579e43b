package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * The parse loop of one input file, shared by {@link ParseRows} and {@link ParseAndWrite}: every
 * record becomes either an accepted {@link ParsedRow} or a {@link RejectedRow} with its file, line
 * and reason (see {@link ParseRows} for what is rejected). Holds only the schema's columns and
 * validator, so it is cheap to serialize with a DoFn.
 */
final class FileParser implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Receives a file's rows in file order. */
  interface Rows {
    void accepted(ParsedRow row) throws IOException;

    void rejected(RejectedRow row) throws IOException;
  }

  /** How many rows of a file were accepted and rejected. */
  record Counts(long accepted, long rejected) {}

  private final InputFormat format;
  private final CsvDialect dialect;
  private final List<String> columns;
  private final RowValidator validator;

  FileParser(InputFormat format, CsvDialect dialect, DataSchema schema) {
    this.format = format;
    this.dialect = dialect;
    this.columns = List.copyOf(schema.columnNames());
    this.validator = new RowValidator(schema);
  }

  /** Parses {@code file} into {@code rows}. */
  Counts parse(InputFile file, Rows rows) throws IOException {
    String name = file.name();
    long accepted = 0;
    long refused = 0;
    try (TableReader reader = format.open(file, columns, dialect)) {
      while (reader.next()) {
        RejectedRow rejection;
        if (reader.problem() != null) {
          rejection =
              new RejectedRow(
                  name, reader.line(), reader.problem(), reader.problemDetail(),
                  reader.rawText());
        } else {
          String[] values = reader.takeValues();
          RowValidator.Problem problem = validator.check(values);
          if (problem == null) {
            rows.accepted(ParsedRow.wrap(values));
            accepted++;
            continue;
          }
          rejection =
              new RejectedRow(
                  name, reader.line(), problem.reason(), problem.detail(), reader.rawText());
        }
        rows.rejected(rejection);
        refused++;
      }
    }
    return new Counts(accepted, refused);
  }
}
