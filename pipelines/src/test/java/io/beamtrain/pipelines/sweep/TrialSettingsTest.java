package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialSpec;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --deterministic} reaches every trial's {@link TrialSpec}, through every copy the sweeps make. */
class TrialSettingsTest {
  @TempDir Path tmp;

  private SweepPlan plan(String... flags) {
    String[] args = new String[flags.length + 1];
    args[0] = "--output=" + tmp;
    System.arraycopy(flags, 0, args, 1, flags.length);
    SweepPipeline.Options options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(SweepPipeline.Options.class);
    return SweepPlan.resolve(options, new OutputLayout(tmp.toString()), StorageConfig.defaults(), false);
  }

  @Test
  void theFlagMakesEveryTrialSingleThreaded() {
    TrialSettings settings = plan("--deterministic", "--trialsPerWorker=1").settings();
    assertTrue(settings.deterministic());
    Trial trial = Studies.defaultStudy().trials().get(0);
    TrialSpec spec = settings.toTrialSpec(trial);
    assertTrue(spec.deterministic());
    // One trial per worker would otherwise get every core.
    assertEquals(1, spec.effectiveIntraOpThreads());
    assertEquals(1, spec.effectiveInterOpThreads());
  }

  @Test
  void withoutTheFlagThreadsFollowTheCores() {
    TrialSettings settings = plan("--trialsPerWorker=1").settings();
    assertFalse(settings.deterministic());
    TrialSpec spec = settings.toTrialSpec(Studies.defaultStudy().trials().get(0));
    assertFalse(spec.deterministic());
    assertEquals(Runtime.getRuntime().availableProcessors(), spec.effectiveIntraOpThreads());
  }

  @Test
  void copiesKeepTheFlag() {
    TrialSettings settings = plan("--deterministic").settings();
    TrialSettings rung = settings.withTrainSteps(7);
    assertEquals(7, rung.trainSteps());
    assertTrue(rung.deterministic());
    TrialSettings wider = settings.withTrialCount(40);
    assertEquals(40, wider.trialCount());
    assertTrue(wider.deterministic());
    assertFalse(settings.withDeterministic(false).deterministic());
    assertEquals(settings, settings.withDeterministic(false).withDeterministic(true));
  }
}
