package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic encoding of a {@link RejectedRow}, field by field. */
public final class RejectedRowCoder extends AtomicCoder<RejectedRow> {
  private static final RejectedRowCoder INSTANCE = new RejectedRowCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final NullableCoder<String> KEY = NullableCoder.of(StringUtf8Coder.of());

  private RejectedRowCoder() {}

  public static RejectedRowCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(RejectedRow row, OutputStream out) throws IOException {
    STRING.encode(row.file(), out);
    LONG.encode(row.line(), out);
    STRING.encode(row.reason().name(), out);
    STRING.encode(row.detail(), out);
    STRING.encode(row.raw(), out);
    KEY.encode(row.key(), out);
  }

  @Override
  public RejectedRow decode(InputStream in) throws IOException {
    return new RejectedRow(
        STRING.decode(in),
        LONG.decode(in),
        RejectReason.valueOf(STRING.decode(in)),
        STRING.decode(in),
        STRING.decode(in),
        KEY.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
