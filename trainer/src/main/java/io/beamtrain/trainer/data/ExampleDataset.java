package io.beamtrain.trainer.data;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocessed data of one data directory ({@code <output>/data/}): {@code transform.json}
 * plus the GZIP TFRecord shards it lists per split, local or {@code gs://}.
 *
 * <p>A split is either {@link #load loaded} whole into a {@link DenseData} (the normal case: fast
 * random access, any step's batch computed directly), or, when its dense size exceeds {@code
 * maxInMemoryBytes} ({@value #DEFAULT_MAX_IN_MEMORY_BYTES} bytes by default), streamed from the
 * shards through a seeded shuffle buffer ({@link StreamingBatchSource}). {@link #trainBatches}
 * picks the mode. Every record is validated on the way in (see {@link Examples}).
 *
 * <p>Immutable and thread-safe; each load or stream opens its own readers.
 */
public final class ExampleDataset {
  /** Splits up to 1 GiB in the dense encoding are held in memory. */
  public static final long DEFAULT_MAX_IN_MEMORY_BYTES = 1L << 30;

  private static final Logger LOG = LoggerFactory.getLogger(ExampleDataset.class);

  private final String dataDir;
  private final TransformSpec spec;
  private final StorageConfig config;
  private final Examples examples;
  private final FeatureEncoder encoder;
  private final String contentHash;

  private ExampleDataset(String dataDir, TransformSpec spec, StorageConfig config, String contentHash) {
    this.dataDir = dataDir;
    this.spec = spec;
    this.config = config;
    this.contentHash = contentHash;
    this.examples = Examples.of(spec);
    this.encoder = new FeatureEncoder(spec);
  }

  /** Reads {@code <dataDir>/transform.json}; a missing or invalid one is a BadInputException. */
  public static ExampleDataset open(String dataDir, StorageConfig config) {
    String path = StoragePaths.join(dataDir, TransformSpec.FILE_NAME);
    byte[] json;
    try {
      json = Storages.forPath(path, config).readBytes(path);
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        throw new BadInputException(
            path + ": not found; is " + dataDir + " the data directory written by preprocess?", e);
      }
      throw e;
    }
    TransformSpec spec;
    try {
      spec = TransformSpec.fromJson(new String(json, StandardCharsets.UTF_8), path);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    return new ExampleDataset(dataDir, spec, config, sha256(json));
  }

  /** A dataset whose transform is already known (no transform.json read). */
  public static ExampleDataset of(String dataDir, TransformSpec spec, StorageConfig config) {
    return new ExampleDataset(
        dataDir, spec, config, sha256(spec.toJson().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * SHA-256 (hex) of the transform this dataset reads by: of transform.json's bytes when opened
   * from the directory. It lists every shard with its example count, so it tells data
   * preprocessed again into the same directory apart ({@link SharedSplits} keys by it).
   */
  public String contentHash() {
    return contentHash;
  }

  public String dataDir() {
    return dataDir;
  }

  public TransformSpec spec() {
    return spec;
  }

  public Examples examples() {
    return examples;
  }

  public FeatureEncoder encoder() {
    return encoder;
  }

  public StorageConfig storageConfig() {
    return config;
  }

  public boolean isClassification() {
    return spec.label().task().isClassification();
  }

  /** Full paths of the split's shards, in transform.json order. */
  public List<String> files(Split split) {
    List<String> out = new ArrayList<>();
    for (String file : split.files(spec)) {
      out.add(StoragePaths.join(dataDir, file));
    }
    return out;
  }

  /** The split's size in the dense encoding, from transform.json's example count. */
  public long denseBytes(Split split) {
    return DenseData.bytesFor(split.examples(spec), encoder.width());
  }

  /** Whether the split fits within {@code maxInMemoryBytes} in the dense encoding. */
  public boolean fitsInMemory(Split split, long maxInMemoryBytes) {
    return denseBytes(split) <= maxInMemoryBytes;
  }

  /**
   * Reads the whole split into memory. An empty split (no files, or files without records) is a
   * BadInputException naming the split and the data directory.
   */
  public DenseData load(Split split) {
    long started = System.nanoTime();
    int width = encoder.width();
    boolean classification = isClassification();
    int capacity = (int) Math.max(16, Math.min(split.examples(spec), Integer.MAX_VALUE / (width + 1)));
    float[] features = new float[capacity * width];
    int[] classIds = classification ? new int[capacity] : null;
    float[] targets = classification ? null : new float[capacity];
    int n = 0;
    try (SplitReader reader = new SplitReader(files(split), examples, config)) {
      while (reader.next()) {
        if (n == capacity) {
          capacity = grow(capacity, width);
          features = Arrays.copyOf(features, capacity * width);
          if (classification) {
            classIds = Arrays.copyOf(classIds, capacity);
          } else {
            targets = Arrays.copyOf(targets, capacity);
          }
        }
        RawRow row = reader.row();
        encoder.encode(row, features, n * width);
        if (classification) {
          classIds[n] = encoder.classIndex(row, reader.where());
        } else {
          targets[n] = row.labelValue();
        }
        n++;
      }
    }
    if (n == 0) {
      throw emptySplit(split);
    }
    if (n != split.examples(spec)) {
      LOG.warn(
          "{}: split '{}' holds {} examples, transform.json says {}",
          dataDir, split.fileName(), n, split.examples(spec));
    }
    DenseData data =
        new DenseData(
            n,
            width,
            features.length == n * width ? features : Arrays.copyOf(features, n * width),
            classification ? trim(classIds, n) : null,
            classification ? null : trim(targets, n));
    LOG.debug(
        "loaded split '{}' of {}: {} rows x {} in {} ms",
        split.fileName(), dataDir, n, width, (System.nanoTime() - started) / 1_000_000);
    return data;
  }

  /**
   * One sequential pass over the split in file order, handing {@code consumer} consecutive chunks
   * of at most {@code chunkRows} rows (for evaluating a split too large to hold). The chunk's
   * arrays are reused between calls: copy what must outlive the call.
   */
  public void forEachChunk(Split split, int chunkRows, Consumer<DenseData> consumer) {
    if (chunkRows <= 0) {
      throw new IllegalArgumentException("chunkRows must be positive, was " + chunkRows);
    }
    int width = encoder.width();
    boolean classification = isClassification();
    float[] features = new float[chunkRows * width];
    int[] classIds = classification ? new int[chunkRows] : null;
    float[] targets = classification ? null : new float[chunkRows];
    long total = 0;
    int n = 0;
    try (SplitReader reader = new SplitReader(files(split), examples, config)) {
      while (reader.next()) {
        RawRow row = reader.row();
        encoder.encode(row, features, n * width);
        if (classification) {
          classIds[n] = encoder.classIndex(row, reader.where());
        } else {
          targets[n] = row.labelValue();
        }
        n++;
        total++;
        if (n == chunkRows) {
          consumer.accept(new DenseData(n, width, features, classIds, targets));
          n = 0;
        }
      }
    }
    if (total == 0) {
      throw emptySplit(split);
    }
    if (n > 0) {
      consumer.accept(
          new DenseData(
              n,
              width,
              Arrays.copyOf(features, n * width),
              classification ? trim(classIds, n) : null,
              classification ? null : trim(targets, n)));
    }
  }

  /**
   * The training batches: in memory when the train split fits in {@code maxInMemoryBytes},
   * otherwise streamed through a shuffle buffer of {@link
   * StreamingBatchSource#DEFAULT_SHUFFLE_BUFFER} rows. Both are deterministic in (seed, step).
   * In memory, the rows are first put in {@link DenseData#inCanonicalOrder() canonical order}, so
   * the batches do not depend on how preprocess dealt the rows into shards either; streamed, they
   * follow the shards' order.
   */
  public BatchSource trainBatches(int batchSize, long seed, long maxInMemoryBytes) {
    return trainBatches(batchSize, seed, maxInMemoryBytes, new SharedSplits());
  }

  /**
   * The same batches, an in-memory train split taken from {@code shared} (loaded there once for
   * every trial of the JVM, see {@link SharedSplits}) and released when the source is closed.
   */
  public BatchSource trainBatches(int batchSize, long seed, long maxInMemoryBytes, SharedSplits shared) {
    if (fitsInMemory(Split.TRAIN, maxInMemoryBytes)) {
      SharedSplits.Lease lease = shared.acquire(this, Split.TRAIN);
      try {
        return new InMemoryBatchSource(lease, batchSize, seed);
      } catch (RuntimeException e) {
        lease.close();
        throw e;
      }
    }
    LOG.info(
        "train split of {} takes {} bytes dense, over the {} byte in-memory limit: streaming it",
        dataDir, denseBytes(Split.TRAIN), maxInMemoryBytes);
    return new StreamingBatchSource(
        this, Split.TRAIN, batchSize, seed, StreamingBatchSource.DEFAULT_SHUFFLE_BUFFER);
  }

  BadInputException emptySplit(Split split) {
    return new BadInputException(
        "split '" + split.fileName() + "' of " + dataDir + " is empty: "
            + (split.files(spec).isEmpty()
                ? TransformSpec.FILE_NAME + " lists no " + split.fileName() + " files"
                : "its files " + split.files(spec) + " hold no records"));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static int grow(int capacity, int width) {
    long next = Math.min((long) capacity * 2, Integer.MAX_VALUE / (width + 1L));
    if (next <= capacity) {
      throw new BadInputException(
          "split too large to hold in memory as one array; lower maxInMemoryBytes to stream it");
    }
    return (int) next;
  }

  private static int[] trim(int[] a, int n) {
    return a.length == n ? a : Arrays.copyOf(a, n);
  }

  private static float[] trim(float[] a, int n) {
    return a.length == n ? a : Arrays.copyOf(a, n);
  }
}
