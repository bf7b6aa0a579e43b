package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;

/**
 * {@link SpreadOverWorkers} on the embedded FlinkRunner: which subtask (Flink slot) each element
 * runs on, read from the name Flink gives the task thread ({@code ... (3/4)#0}). Keyed by a hash,
 * 4 trials on 4 subtasks would mostly share subtasks and train one after the other; spread, each
 * gets its own, and 2 of them go to subtasks 2 apart (on a 2x2-slot cluster: different
 * TaskManagers when Flink fills each TaskManager's slots in turn).
 */
class SpreadOverWorkersTest {
  /** Element -> the subtask (1-based, as Flink names it) that ran it; the job runs in this JVM. */
  private static final Map<Integer, Integer> RAN_ON = new ConcurrentHashMap<>();
  private static final Pattern SUBTASK = Pattern.compile("\\((\\d+)/(\\d+)\\)");

  @Test
  void fourElementsRunOnFourSubtasks() {
    assertEquals(Map.of(0, 1, 1, 2, 2, 3, 3, 4), runOnFlink(List.of(0, 1, 2, 3), 4));
  }

  @Test
  void eightElementsGiveEachSubtaskTwo() {
    Map<Integer, Integer> ranOn = runOnFlink(IntStream.range(0, 8).boxed().toList(), 4);
    Map<Integer, Integer> perSubtask = new TreeMap<>();
    ranOn.values().forEach(s -> perSubtask.merge(s, 1, Integer::sum));
    assertEquals(Map.of(1, 2, 2, 2, 3, 2, 4, 2), perSubtask, ranOn.toString());
  }

  @Test
  void fewerElementsThanSubtasksAreSpacedOutByRankNotIndex() {
    // A later rung of a search: the promoted trials' indexes are sparse.
    assertEquals(Map.of(3, 1, 7, 3), runOnFlink(List.of(3, 7), 4));
  }

  @Test
  void subtasksOfRanks() {
    assertEquals(List.of(0, 2), IntStream.range(0, 2).map(r -> SpreadOverWorkers.subtask(r, 2, 4)).boxed().toList());
    assertEquals(List.of(0, 1, 2, 0, 1, 2), IntStream.range(0, 6).map(r -> SpreadOverWorkers.subtask(r, 6, 3)).boxed().toList());
    assertEquals(List.of(0), List.of(SpreadOverWorkers.subtask(0, 1, 4)));
  }

  @Test
  void keepsEveryElementOnTheDirectRunner() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    RAN_ON.clear();
    pipeline.apply(Create.of(List.of(5, 1, 9)).withCoder(VarIntCoder.of()))
        .apply(SpreadOverWorkers.<Integer>byIndex(i -> i))
        .apply(ParDo.of(new RecordSubtask()));
    pipeline.run().waitUntilFinish();
    assertEquals(java.util.Set.of(5, 1, 9), RAN_ON.keySet());
  }

  private static Map<Integer, Integer> runOnFlink(List<Integer> elements, int parallelism) {
    RAN_ON.clear();
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + parallelism).create());
    pipeline.apply(Create.of(elements).withCoder(VarIntCoder.of()))
        .apply(SpreadOverWorkers.<Integer>byIndex(i -> i))
        .apply(ParDo.of(new RecordSubtask()));
    pipeline.run().waitUntilFinish();
    assertEquals(elements.size(), RAN_ON.size(), RAN_ON.toString());
    return new TreeMap<>(RAN_ON);
  }

  private static final class RecordSubtask extends DoFn<Integer, Void> {
    @ProcessElement
    public void process(@Element Integer element) {
      String thread = Thread.currentThread().getName();
      Matcher m = SUBTASK.matcher(thread);
      int subtask = 0;
      while (m.find()) {
        subtask = Integer.parseInt(m.group(1));
      }
      assertTrue(subtask > 0 || !thread.contains("/"), thread);
      RAN_ON.put(element, subtask);
    }
  }
}
