package io.beamtrain.trainer.data;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits held in memory once for every trial that trains on them in one JVM, as Beam's
 * RunInference shares a model through {@code Shared} and Ray Tune puts a data set in its object
 * store once: the first trial to {@link #acquire} a split loads it and puts it in {@link
 * DenseData#inCanonicalOrder() canonical order}; trials acquiring it meanwhile wait for that load
 * instead of starting their own, and later ones take the same immutable copy. N concurrent trials
 * therefore hold one copy, not N, and pay one load and one sort.
 *
 * <p>Keyed by data directory, storage settings, split and the content of {@code transform.json}
 * ({@link ExampleDataset#contentHash()}: it lists every shard and its example count and holds the
 * analyzer results the encoding uses), so data preprocessed again into the same directory is
 * loaded afresh. Reference-counted: a split is freed when its last {@link Lease} is closed, unless
 * a {@link #pin} is open -- a sweep pins the cache while trials wait for a slot, so that a trial
 * ending just before the next one starts does not free the data the next one is about to load
 * again. A split whose leases and pins are all gone is dropped (to the garbage collector).
 *
 * <p>Splits over the in-memory limit are streamed per trial and never come here. Thread-safe.
 */
public final class SharedSplits {
  private static final Logger LOG = LoggerFactory.getLogger(SharedSplits.class);

  private record Key(String dataDir, StorageConfig config, String contentHash, Split split) {}

  private static final class Entry {
    final CompletableFuture<DenseData> data = new CompletableFuture<>();
    int leases;
  }

  private final Map<Key, Entry> entries = new HashMap<>();
  private int pins;
  private long loads;

  /** A use of one split's shared copy; close it when the trial is done with the data. */
  public final class Lease implements AutoCloseable {
    private final Key key;
    private final DenseData data;
    private boolean closed;

    private Lease(Key key, DenseData data) {
      this.key = key;
      this.data = data;
    }

    /** The split in canonical order: shared, read-only. */
    public DenseData data() {
      return data;
    }

    /** Drops this use; idempotent. */
    @Override
    public void close() {
      synchronized (SharedSplits.this) {
        if (closed) {
          return;
        }
        closed = true;
        Entry entry = entries.get(key);
        if (entry != null && --entry.leases == 0 && pins == 0) {
          entries.remove(key);
          LOG.debug("freed split '{}' of {}", key.split().fileName(), key.dataDir());
        }
      }
    }
  }

  /** Keeps splits nobody leases right now in memory until closed; see the class Javadoc. */
  public final class Pin implements AutoCloseable {
    private boolean closed;

    private Pin() {}

    /** Drops the pin; the last one frees every split without a lease. Idempotent. */
    @Override
    public void close() {
      synchronized (SharedSplits.this) {
        if (closed) {
          return;
        }
        closed = true;
        if (--pins == 0) {
          entries.values().removeIf(entry -> entry.leases == 0);
        }
      }
    }
  }

  /**
   * The split of {@code dataset} in canonical order, loaded by the first caller (the others wait
   * for it). A load that fails fails every caller waiting for it and is not cached, so the next
   * caller tries again.
   */
  public Lease acquire(ExampleDataset dataset, Split split) {
    Key key = new Key(dataset.dataDir(), dataset.storageConfig(), dataset.contentHash(), split);
    Entry entry;
    boolean load;
    synchronized (this) {
      entry = entries.get(key);
      load = entry == null;
      if (load) {
        entry = new Entry();
        entries.put(key, entry);
        loads++;
      }
      entry.leases++;
    }
    if (load) {
      try {
        entry.data.complete(dataset.load(split).inCanonicalOrder());
      } catch (RuntimeException | Error e) {
        entry.data.completeExceptionally(e);
        synchronized (this) {
          entries.remove(key, entry);
          entry.leases--;
        }
        throw e;
      }
    }
    try {
      return new Lease(key, entry.data.join());
    } catch (CompletionException e) {
      synchronized (this) {
        entry.leases--;
      }
      // The loader's own exception (a BadInputException naming the file, say), for this caller too.
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Pins the cache; see the class Javadoc. */
  public synchronized Pin pin() {
    pins++;
    return new Pin();
  }

  /** How many split copies are held now (loaded or loading). */
  public synchronized int heldCopies() {
    return entries.size();
  }

  /** Bytes the loaded copies hold ({@link DenseData#sizeBytes()}). */
  public synchronized long heldBytes() {
    long bytes = 0;
    for (Entry entry : entries.values()) {
      if (entry.data.isDone() && !entry.data.isCompletedExceptionally()) {
        bytes += entry.data.join().sizeBytes();
      }
    }
    return bytes;
  }

  /** How many loads this cache has started since it was made. */
  public synchronized long loads() {
    return loads;
  }
}
