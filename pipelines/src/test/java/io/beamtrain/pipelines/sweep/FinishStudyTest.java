package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.pipelines.testing.TestPipelines;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results tail alone: over the trials' results it writes every file of a finished study --
 * results, the exported winner, report.html and the sweep root's HParams experiment -- with no
 * launcher around it, as a template job that nobody waits for must.
 */
class FinishStudyTest {
  @TempDir Path tmp;

  @Test
  void writesResultsBestModelReportAndExperimentFromThePipelineAlone() throws Throwable {
    OutputLayout layout = PenguinsData.preprocessedOutput(tmp);
    StudySpec study = Studies.defaultStudy();
    Files.writeString(Path.of(layout.studyJson()), StudySpecWriter.toJson(study));
    TrialSettings settings = new TrialSettings(layout, layout.data(), MetricSpec.defaultMetric(),
        20, 10, 10, 0, 2, 2, StorageConfig.defaults(), false);
    List<Trial> trials = List.of(
        new Trial(Trial.idOf(0), 0, new TreeMap<>(Map.of("model", "linear", "learning_rate", 0.05)), 1L),
        new Trial(Trial.idOf(1), 1, new TreeMap<>(Map.of("model", "linear", "learning_rate", 0.001)), 2L));

    TestPipelines.run(FinishStudyTest.class, "tail", p -> {
      PCollection<TrialResult> results = p
          .apply(Create.of(trials).withCoder(SerializableCoder.of(Trial.class)))
          .apply(RunTrials.with(settings));
      PCollection<String> best = results.apply(FinishStudy.of(settings));
      PAssert.thatSingleton(best).satisfies(json -> {
        assertTrue(json.contains("\"trial\""), json);
        return null;
      });
      p.run().waitUntilFinish();
    });

    for (String file : List.of(layout.resultsJsonl(), layout.resultsCsv(), layout.bestJson(), layout.reportHtml())) {
      assertTrue(Files.exists(Path.of(file)), file);
    }
    assertTrue(Files.exists(Path.of(layout.savedModel(), "saved_model.pb")));
    assertTrue(Files.readString(Path.of(layout.reportHtml())).contains("trial-0001"));
    assertEquals(1, experiments(layout), "the HParams experiment at the root");
  }

  @Test
  void theExperimentIsWrittenOnceWhateverTheRetries() throws IOException {
    OutputLayout layout = new OutputLayout(tmp.resolve("retried").toString());
    Files.createDirectories(Path.of(layout.root()));
    Files.writeString(Path.of(layout.studyJson()), StudySpecWriter.toJson(Studies.defaultStudy()));

    SweepViews.writeExperiment(layout.root(), StorageConfig.defaults());
    SweepViews.writeExperiment(layout.root(), StorageConfig.defaults());

    assertEquals(1, experiments(layout));
  }

  private static long experiments(OutputLayout layout) throws IOException {
    try (Stream<Path> files = Files.list(Path.of(layout.root()))) {
      return files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).count();
    }
  }
}
