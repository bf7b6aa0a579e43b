package io.beamtrain.pipelines.sweep;

import io.beamtrain.trainer.TrialResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * Encodes a {@link TrialResult} as its results.jsonl line: compact, stable across JVMs and
 * runners (unlike Java serialization) and exactly what is written to results.jsonl.
 */
public final class TrialResultCoder extends AtomicCoder<TrialResult> {
  private static final TrialResultCoder INSTANCE = new TrialResultCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private TrialResultCoder() {}

  public static TrialResultCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(TrialResult value, OutputStream out) throws IOException {
    STRING.encode(value.toJson(), out);
  }

  @Override
  public TrialResult decode(InputStream in) throws IOException {
    return TrialResult.fromJson(STRING.decode(in), "encoded trial result");
  }

  @Override
  public void verifyDeterministic() {}
}
