package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark 2 of issue 4: the built-in study's 8 trials on penguins as a sweep on the DirectRunner
 * (trials in parallel, TF threads = cores / concurrent trials) beside the same 8 trials run one
 * after another in a plain Java loop with TensorFlow using every core. Prints both wall times and
 * their ratio (target: sweep / loop &le; 1.0). Each run trains from scratch in its own directory.
 *
 * <p>{@code mvn -Pbenchmarks verify -pl pipelines -am -Dtest=SweepBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class SweepBenchmark {
  @TempDir Path tmp;

  @Test
  void eightTrialSweepBesideASequentialLoop() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout data = new OutputLayout(tmp.resolve("data-root").toString());
    PenguinsData.preprocess(input, data.root(), StorageConfig.defaults());
    StudySpec study = Studies.defaultStudy();
    List<Trial> trials = study.trials();

    // Warm-up: load TensorFlow's native library and JIT the trainer outside both timings.
    OutputLayout warm = new OutputLayout(tmp.resolve("warm").toString());
    copyData(data, warm);
    new TrialExecutor(new TrialSettings(warm, warm.data(), study.metric(), 50, 50, 50, 0, 1, 1,
        StorageConfig.defaults())).execute(trials.get(0));

    OutputLayout loop = new OutputLayout(tmp.resolve("loop").toString());
    copyData(data, loop);
    TrialExecutor sequential = new TrialExecutor(TrialSettings.of(study, loop, 1, trials.size(),
        StorageConfig.defaults()));
    long loopStart = System.nanoTime();
    List<TrialResult> loopResults = new ArrayList<>();
    for (Trial trial : trials) {
      loopResults.add(sequential.execute(trial));
    }
    double loopSeconds = (System.nanoTime() - loopStart) / 1e9;

    OutputLayout sweep = new OutputLayout(tmp.resolve("sweep").toString());
    copyData(data, sweep);
    SweepPipeline.Options options = PipelineOptionsFactory.fromArgs(
            "--output=" + sweep.root(), "--progressEverySeconds=0")
        .withValidation().as(SweepPipeline.Options.class);
    long sweepStart = System.nanoTime();
    SweepOutcome outcome = SweepPipeline.run(options);
    double sweepSeconds = (System.nanoTime() - sweepStart) / 1e9;

    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "%nSweepBenchmark: %d trials x %d steps on penguins, %d cores%n",
        trials.size(), study.trainSteps(), cores);
    System.out.printf(Locale.ROOT, "  loop  (one trial at a time, TF on %d cores): %7.1f s  (%.1f s/trial)%n",
        cores, loopSeconds, loopSeconds / trials.size());
    System.out.printf(Locale.ROOT, "  sweep (DirectRunner, %d trials at a time):     %7.1f s  (%.1f s/trial)%n",
        TrialParallelism.resolve(options, 0, trials.size()), sweepSeconds, sweepSeconds / trials.size());
    System.out.printf(Locale.ROOT, "  ratio sweep / loop: %.2f (target <= 1.0)%n", sweepSeconds / loopSeconds);
    System.out.printf(Locale.ROOT, "  best: loop %s, sweep %s%n",
        loopResults.stream().min(new TrialRanking(study.metric()).comparator()).orElseThrow().trial(),
        outcome.best().trial());
  }

  private static void copyData(OutputLayout from, OutputLayout to) throws Exception {
    Path source = Path.of(from.data());
    Path target = Path.of(to.data());
    Files.createDirectories(target);
    try (var files = Files.list(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }
}
