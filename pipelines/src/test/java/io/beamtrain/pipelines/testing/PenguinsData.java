package io.beamtrain.pipelines.testing;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.DemoPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

  /**
   * The usual test fixture: penguins.csv written to {@code <tmp>/input} and preprocessed into
   * {@code <tmp>/out/data} on local disk; returns the layout of {@code <tmp>/out}.
   */
  public static OutputLayout preprocessedOutput(Path tmp) {
    String input = writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout layout = new OutputLayout(tmp.resolve("out").toString());
    preprocess(input, layout.root(), StorageConfig.defaults());
    return layout;
  }

  /** Runs the preprocess pipeline on {@code input} into {@code <output>/data} (DirectRunner). */
  public static void preprocess(String input, String output, StorageConfig storage, String... beamArgs) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(beamArgs).create());
    pipeline.apply("Preprocess", Preprocess.from(
        PreprocessSettings.of(input, output, LABEL).withStorageConfig(storage)));
    PreprocessPipeline.runAndWait(pipeline);
  }
}
