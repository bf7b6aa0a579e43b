package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.flink.FlinkPartitions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Spreads a stage's few long-running elements (trials, a search's worker loops) over the runner's
 * parallel workers before they run: a reshuffle keyed by each element's index. Without it, runners
 * fuse the work into the step that creates the elements and run all of them in the one bundle
 * (and on the one worker) that holds them.
 *
 * <p>Keyed by index, Dataflow and Spark give each element its own group and spread the groups over
 * their workers and threads. Flink sends each key to one subtask by a hash of its bytes (see {@link
 * FlinkPartitions}), one slot each, and a subtask runs its elements one after the other; a handful
 * of hashed keys often share one, leaving slots (and whole TaskManagers) idle. On the FlinkRunner
 * the elements are therefore ranked by index (a side input holding all indexes) and the element of
 * rank {@code r} of {@code n} is keyed to reach subtask {@code r * parallelism / n} (every subtask
 * a share of the elements, spaced out when there are fewer elements than subtasks), the parallelism
 * being what the runner fixed for the job, read on the worker. Where an element runs never changes
 * what it computes, so results stay the DirectRunner's.
 */
public final class SpreadOverWorkers<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final SerializableFunction<T, Integer> index;

  private SpreadOverWorkers(SerializableFunction<T, Integer> index) {
    this.index = index;
  }

  /** Spreads elements by {@code index}, distinct per element of the stage (e.g. a trial's index). */
  public static <T> SpreadOverWorkers<T> byIndex(SerializableFunction<T, Integer> index) {
    return new SpreadOverWorkers<>(index);
  }

  @Override
  public PCollection<T> expand(PCollection<T> elements) {
    Coder<T> coder = elements.getCoder();
    PCollection<KV<Integer, T>> keyed;
    if (isFlink(elements.getPipeline().getOptions())) {
      PCollectionView<List<Integer>> all = elements
          .apply("Indexes", MapElements.into(TypeDescriptors.integers()).via(index))
          .apply("AllIndexes", View.asList());
      keyed = elements.apply("KeyBySubtask", ParDo.of(new KeyBySubtaskFn<>(index, all)).withSideInputs(all));
    } else {
      keyed = elements.apply("KeyByIndex", WithKeys.of(index).withKeyType(TypeDescriptors.integers()));
    }
    return keyed
        .setCoder(KvCoder.of(VarIntCoder.of(), coder))
        .apply("Reshuffle", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .setCoder(coder);
  }

  private static boolean isFlink(PipelineOptions options) {
    String runner = options.getRunner().getSimpleName();
    return runner.equals("FlinkRunner") || runner.equals("TestFlinkRunner");
  }

  /**
   * The subtask an element of rank {@code rank} among {@code count} goes to, of {@code
   * parallelism}: evenly spaced when there are fewer elements than subtasks, round robin otherwise.
   */
  static int subtask(int rank, int count, int parallelism) {
    return count <= parallelism ? (int) ((long) rank * parallelism / count) : rank % parallelism;
  }

  /** Keys each element with the key that Flink's shuffle sends to the element's subtask. */
  private static final class KeyBySubtaskFn<T> extends DoFn<T, KV<Integer, T>> {
    private final SerializableFunction<T, Integer> index;
    private final PCollectionView<List<Integer>> all;

    KeyBySubtaskFn(SerializableFunction<T, Integer> index, PCollectionView<List<Integer>> all) {
      this.index = index;
      this.all = all;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      int parallelism = FlinkPartitions.parallelism(context.getPipelineOptions());
      int own = index.apply(context.element());
      if (parallelism <= 1) {
        context.output(KV.of(own, context.element()));
        return;
      }
      List<Integer> sorted = new ArrayList<>(context.sideInput(all));
      Collections.sort(sorted);
      int rank = Collections.binarySearch(sorted, own);
      // binarySearch finds some copy of a duplicate index; the first one is the element's rank.
      while (rank > 0 && sorted.get(rank - 1) == own) {
        rank--;
      }
      int target = subtask(rank, sorted.size(), parallelism);
      context.output(KV.of(FlinkPartitions.keyFor(target, parallelism), context.element()));
    }
  }
}
