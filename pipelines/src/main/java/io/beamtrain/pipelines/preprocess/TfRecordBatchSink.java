package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;

/**
 * A {@link FileIO.Sink} of record batches that writes each record with Beam's {@link
 * TFRecordIO#sink()}: the files are exactly what {@code TFRecordIO.write()} produces, but {@code
 * FileIO.write()} moves (and, with a fixed shard count, shuffles) one element per batch instead of
 * one per record, which takes the per-element cost of the shuffle out of the hot path.
 */
final class TfRecordBatchSink implements FileIO.Sink<List<byte[]>> {
  private final TFRecordIO.Sink records = TFRecordIO.sink();

  @Override
  public void open(WritableByteChannel channel) throws IOException {
    records.open(channel);
  }

  @Override
  public void write(List<byte[]> batch) throws IOException {
    for (byte[] record : batch) {
      records.write(record);
    }
  }

  @Override
  public void flush() throws IOException {
    records.flush();
  }
}
