package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.events.EventFileWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trial's TensorBoard scalars: {@code loss} (train batch loss), {@code learning_rate}, {@code
 * examples_per_sec} (since the previous train-loss point) and the eval metrics by their names.
 *
 * <p>Held in memory until the first {@link #flush()} -- the trial's first checkpoint -- so a trial
 * failing on bad input leaves no event file; then written through {@link EventFileWriter} (a new
 * {@code events.out.tfevents.*} file per attempt, which TensorBoard merges by step). Thread-safe:
 * the loop adds, a background writer flushes.
 */
public final class TrialEvents implements AutoCloseable {
  private record Scalars(long step, Map<String, Double> values) {}

  private final String directory;
  private final StorageConfig config;
  private final List<Scalars> pending = new ArrayList<>();
  private EventFileWriter writer;
  private long intervalStep;
  private long intervalStart;

  public TrialEvents(String directory, StorageConfig config) {
    this.directory = directory;
    this.config = config;
  }

  /** Starts the examples/sec clock at global step {@code step}. */
  public synchronized void startInterval(long step) {
    intervalStep = step;
    intervalStart = System.nanoTime();
  }

  /** Records the train loss and learning rate at global step {@code step}. */
  public synchronized void train(long step, float loss, double learningRate, int batchSize) {
    long now = System.nanoTime();
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss", (double) loss);
    values.put("learning_rate", learningRate);
    if (step > intervalStep && now > intervalStart) {
      values.put(
          "examples_per_sec", (step - intervalStep) * (double) batchSize * 1e9 / (now - intervalStart));
    }
    add(step, values);
    intervalStep = step;
    intervalStart = now;
  }

  /** Records the metrics of the evaluation at {@code step}. */
  public synchronized void eval(long step, Map<String, Double> metrics) {
    add(step, metrics);
  }

  private void add(long step, Map<String, Double> values) {
    if (writer != null) {
      writer.addScalars(step, values);
    } else {
      pending.add(new Scalars(step, values));
    }
  }

  /** Opens the event file if needed and writes everything recorded so far. */
  public synchronized void flush() {
    if (writer == null) {
      writer = EventFileWriter.open(directory, config);
      for (Scalars scalars : pending) {
        writer.addScalars(scalars.step(), scalars.values());
      }
      pending.clear();
    }
    writer.flush();
  }

  /** Closes the event file if it was opened; scalars never flushed are dropped. */
  @Override
  public synchronized void close() {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }
}
