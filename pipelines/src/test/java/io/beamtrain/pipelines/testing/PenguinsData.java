package io.beamtrain.pipelines.testing;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.demo.DemoPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The bundled penguins data, written and preprocessed for tests with the real pipeline. */
public final class PenguinsData {
  public static final String LABEL = "species";

  private PenguinsData() {}

  public static String csv() {
    try (InputStream in = PenguinsData.class.getClassLoader().getResourceAsStream(DemoPipeline.PENGUINS_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes penguins.csv to {@code dir} (local or gs://) and returns its path. */
  public static String writeCsv(String dir, StorageConfig storage) {
    String path = StoragePaths.join(dir, "penguins.csv");
    Storages.forPath(path, storage).writeBytes(path, csv().getBytes(StandardCharsets.UTF_8));
    return path;
  }

  /** Runs the preprocess pipeline on {@code input} into {@code <output>/data} (DirectRunner). */
  public static void preprocess(String input, String output, StorageConfig storage, String... beamArgs) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(beamArgs).create());
    pipeline.apply("Preprocess", Preprocess.from(
        PreprocessSettings.of(input, output, LABEL).withStorageConfig(storage)));
    PreprocessPipeline.runAndWait(pipeline);
  }
}
