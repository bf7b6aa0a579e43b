package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.VarInt;

/**
 * Compact deterministic encoding of a {@link ParsedRow}: the cell count, then per cell a presence
 * byte and the UTF-8 text. Deterministic, so rows can be grouped and compared by encoding.
 */
public final class ParsedRowCoder extends AtomicCoder<ParsedRow> {
  private static final ParsedRowCoder INSTANCE = new ParsedRowCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private ParsedRowCoder() {}

  public static ParsedRowCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ParsedRow row, OutputStream out) throws IOException {
    VarInt.encode(row.size(), out);
    for (int i = 0; i < row.size(); i++) {
      String value = row.get(i);
      if (value == null) {
        out.write(0);
      } else {
        out.write(1);
        STRING.encode(value, out);
      }
    }
  }

  @Override
  public ParsedRow decode(InputStream in) throws IOException {
    int size = VarInt.decodeInt(in);
    String[] values = new String[size];
    for (int i = 0; i < size; i++) {
      int present = in.read();
      if (present < 0) {
        throw new IOException("truncated ParsedRow: cell " + i + " of " + size);
      }
      values[i] = present == 0 ? null : STRING.decode(in);
    }
    return ParsedRow.wrap(values);
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
