package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.commands.SweepPipelineTest;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.TrialRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trials of a sweep in one worker JVM load each split once (DirectRunner: the JVM is the one
 * worker), free it after the last trial, and train exactly as trials loading their own copy do.
 */
class SharedTrialDataTest {
  private static final String STUDY = """
      metric: {name: eval_loss}
      algorithm: RANDOM
      maxTrials: 4
      seed: 9
      trainSteps: 60
      evalEverySteps: 20
      checkpointEverySteps: 30
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.005, max: 0.05, scale: LOG}
      fixed: {model: dnn, hidden_units: 32, num_layers: 1}
      """;

  @TempDir Path tmp;

  @Test
  void aSweepLoadsEachSplitOnceFreesItAfterTheLastTrialAndTrainsAsPerTrialLoadingDoes() throws Exception {
    OutputLayout layout = PenguinsData.preprocessedOutput(tmp.resolve("sweep"));
    Path studyFile = tmp.resolve("study.yaml");
    Files.writeString(studyFile, STUDY);
    long loadsBefore = TrialExecutor.WORKER_SPLITS.loads();

    SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + studyFile, "--progressEverySeconds=0",
            "--deterministic", "--targetParallelism=2")
        .withValidation().as(SweepPipeline.Options.class));

    assertEquals(2, TrialExecutor.WORKER_SPLITS.loads() - loadsBefore,
        "loads of the train and eval split for 4 trials, 2 at a time");
    assertEquals(0, TrialExecutor.WORKER_SPLITS.heldCopies(), "splits held after the last trial");

    // The same trials, each loading its own copy (no shared cache), one after another.
    StudySpec study = StudySpecParser.parse(STUDY, studyFile.toString());
    OutputLayout own = new OutputLayout(tmp.resolve("own").toString());
    copyData(layout, own);
    TrialSettings settings = TrialSettings.of(study, own, 1, study.trials().size(), StorageConfig.defaults())
        .withDeterministic(true);
    List<TrialResult> results = new ArrayList<>();
    for (Trial trial : study.trials()) {
      results.add(TrialRunner.run(settings.toTrialSpec(trial)));
    }
    ResultsFiles.write(own, ResultsFiles.sorted(results), StorageConfig.defaults());
    assertEquals(
        SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(own.resultsJsonl()))),
        SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl()))));
  }

  private static void copyData(OutputLayout from, OutputLayout to) throws Exception {
    Path target = Path.of(to.data());
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(Path.of(from.data()))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }
}
