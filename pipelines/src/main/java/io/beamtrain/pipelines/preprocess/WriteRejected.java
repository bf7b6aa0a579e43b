package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes rejected rows as JSON Lines ({@link RejectedRow#toJsonLine()}: file, line, reason, detail,
 * raw) to {@code <dataDir>/rejected/rejected-00000-of-00001.jsonl}, one shard (rejected rows are
 * few, and one file is easiest to read), ordered by input file and line. Nothing is written when
 * no row was rejected; {@code stats.json} always has the count. Output: the path of the file, if
 * written, with its rows counted by reason (for {@code stats.json} and the rejected-share check).
 *
 * <p>One group of all rejected rows and one write: the file is written under {@code
 * rejected/.temp-beam/} (see {@link BeamTempFiles}) and renamed into place, so it never appears
 * half written. Beam's {@code FileIO.write} did the same with about 25 steps and three shuffles
 * (issue 15: on the DirectRunner each step is a scheduling round and a translation of its DoFn,
 * whether a row was rejected or not), and left the line order to the shuffle.
 */
public final class WriteRejected
    extends PTransform<PCollection<RejectedRow>, PCollection<WriteRejected.Written>> {
  /** The written file and its rows counted by {@link RejectReason} name. */
  public record Written(String path, Map<String, Long> byReason) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Written {
      byReason = Collections.unmodifiableMap(new TreeMap<>(byReason));
    }
  }

  /** Subdirectory of the data directory holding the rejected rows. */
  public static final String DIRECTORY = "rejected";

  /** Name of the one file of rejected rows. */
  static final String FILE_NAME = "rejected-00000-of-00001.jsonl";

  private final String dataDir;

  private WriteRejected(String dataDir) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
  }

  public static WriteRejected to(String dataDir) {
    return new WriteRejected(dataDir);
  }

  @Override
  public PCollection<Written> expand(PCollection<RejectedRow> rejected) {
    return rejected
        .apply("OneGroup", WithKeys.<String, RejectedRow>of("").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RejectedRowCoder.of()))
        .apply("GroupRejected", GroupByKey.create())
        .apply("WriteJsonLines", ParDo.of(new WriteFn(StoragePaths.join(dataDir, DIRECTORY))))
        .setCoder(SerializableCoder.of(Written.class));
  }

  /** Input rows in input order: by file, then line. */
  static final Comparator<RejectedRow> ORDER =
      Comparator.comparing(RejectedRow::file).thenComparingLong(RejectedRow::line);

  private static final class WriteFn extends DoFn<KV<String, Iterable<RejectedRow>>, Written> {
    private final String directory;

    WriteFn(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<RejectedRow>> group, OutputReceiver<Written> out)
        throws IOException {
      List<RejectedRow> rows = new ArrayList<>();
      group.getValue().forEach(rows::add);
      rows.sort(ORDER);
      Map<String, Long> byReason = new TreeMap<>();
      rows.forEach(row -> byReason.merge(row.reason().name(), 1L, Long::sum));
      String path = StoragePaths.join(directory, FILE_NAME);
      String temp =
          StoragePaths.join(
              StoragePaths.join(directory, BeamTempFiles.DIRECTORY), UUID.randomUUID().toString());
      ResourceId tempId = FileSystems.matchNewResource(temp, false);
      try (Writer writer =
          new BufferedWriter(
              new OutputStreamWriter(
                  Channels.newOutputStream(FileSystems.create(tempId, MimeTypes.TEXT)),
                  StandardCharsets.UTF_8),
              1 << 16)) {
        for (RejectedRow row : rows) {
          writer.write(row.toJsonLine());
          writer.write('\n');
        }
      }
      FileSystems.rename(
          List.of(tempId),
          List.of(FileSystems.matchNewResource(path, false)),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      out.output(new Written(path, byReason));
    }
  }
}
