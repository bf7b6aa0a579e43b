package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.SweepPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ASHA job log must be one the study could have written, or this run's workers would resume
 * another search's jobs; an adaptive search's trial directories are checked as it trains them.
 * No training: the output is laid out by hand.
 */
class SearchConflictsTest {
  private static final String ASHA = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: ASHA
      maxTrials: 6
      seed: 5
      trainSteps: 90
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.1, scale: LOG}
      fixed: {model: dnn, hidden_units: 8, batch_size: 16, learning_rate_decay: cosine}
      search: {eta: 3, minBudget: 10, workers: 1}
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private SweepPlan plan(String study) throws Exception {
    Path file = tmp.resolve("study.yaml");
    Files.writeString(file, study);
    SweepPipeline.Options options = PipelineOptionsFactory.fromArgs(
            "--output=" + tmp.resolve("out"), "--study=" + file)
        .withValidation().as(SweepPipeline.Options.class);
    return SweepPlan.resolve(options, new OutputLayout(options.getOutput()), StorageConfig.defaults(), false);
  }

  private static void check(SweepPlan plan) {
    SearchConflicts.check(plan, SearchSettings.of(plan.study()));
  }

  private static JobLog log(SweepPlan plan) {
    String dir = plan.layout().jobLog();
    return new JobLog(dir, Storages.forPath(dir, StorageConfig.defaults()));
  }

  /** trial-0000 as ASHA starts it: the schedule's maximum budget as its decay horizon. */
  private static Trial started(SweepPlan plan) {
    return SuccessiveHalving.withScheduleHorizon(plan.study().trials().get(0), 90);
  }

  @Test
  void theStudysOwnLogPasses() throws Exception {
    SweepPlan plan = plan(ASHA);
    log(plan).claim(new Job(0, "trial-0000", 0, 10, 0), started(plan));
    log(plan).claim(new Job(1, "trial-0000", 1, 30, 0));

    check(plan);
  }

  @Test
  void aJobOfAnotherScheduleIsRefusedNamingTheJobAndItsBudget() throws Exception {
    SweepPlan plan = plan(ASHA);
    log(plan).claim(new Job(0, "trial-0000", 0, 25, 0), started(plan));

    UsageException e = assertThrows(UsageException.class, () -> check(plan));

    assertTrue(e.getMessage().contains("job-000000.json"), e.getMessage());
    assertTrue(e.getMessage().contains("budget=25"), e.getMessage());
  }

  @Test
  void aTrialStartedWithOtherParametersIsRefused() throws Exception {
    SweepPlan plan = plan(ASHA);
    Trial trial = started(plan);
    TreeMap<String, Object> params = new TreeMap<>(trial.params());
    params.put("learning_rate", 0.5);
    log(plan).claim(new Job(0, "trial-0000", 0, 10, 0), new Trial(trial.id(), 0, params, trial.seed()));

    UsageException e = assertThrows(UsageException.class, () -> check(plan));

    assertTrue(e.getMessage().contains("job-000000.json"), e.getMessage());
    assertTrue(e.getMessage().contains("params="), e.getMessage());
  }

  @Test
  void aTrialDirectoryIsCheckedAsTheSearchTrainsIt() throws Exception {
    SweepPlan plan = plan(ASHA.replace("algorithm: ASHA", "algorithm: SUCCESSIVE_HALVING")
        .replace(", workers: 1", ""));
    // The trainer's params.json of trial-0000 as successive halving trains it (decay horizon 90)...
    Trial trial = SuccessiveHalving.withScheduleHorizon(plan.study().trials().get(0), 90);
    Path params = Path.of(plan.layout().trialDir(trial.id()), "params.json");
    Files.createDirectories(params.getParent());
    Files.writeString(params, JSON.writeValueAsString(Map.of("trial", trial.id(), "seed", trial.seed(), "params", trial.params())));
    check(plan);

    // ...and of another seed.
    Files.writeString(params, JSON.writeValueAsString(Map.of("trial", trial.id(), "seed", trial.seed() + 1, "params", trial.params())));
    UsageException e = assertThrows(UsageException.class, () -> check(plan));
    assertTrue(e.getMessage().contains(params.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("seed="), e.getMessage());
  }
}
