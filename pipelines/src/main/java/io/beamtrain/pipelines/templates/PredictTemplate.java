package io.beamtrain.pipelines.templates;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.cli.UsageException;
import io.beamtrain.pipelines.predict.Predict;
import io.beamtrain.pipelines.predict.PredictPipeline;
import io.beamtrain.pipelines.predict.ReadInputRows;
import io.beamtrain.pipelines.predict.Rejection;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Flex Template main of {@code predict} (templates/predict-metadata.json): the same steps and
 * output files as {@code beamtrain predict}, returning once the job is submitted (see {@link
 * TemplateLaunch}); the row counts are left to the job's counters.
 */
public final class PredictTemplate {
  private PredictTemplate() {}

  /** The template's parameters: those of {@code predict} and {@code --templateLaunch}. */
  public interface Options extends PredictPipeline.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult launch(Options options) {
    if (options.getBatchSize() < 1) {
      throw new UsageException("--batchSize must be at least 1, was " + options.getBatchSize());
    }
    StorageConfig storage = PipelineStorage.config(options);
    String model = PredictPipeline.resolveModel(options.getModel(), storage);
    String rejectedPrefix = StoragePaths.join(options.getPredictions() + "-rejected", "rejected");
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple rows =
        pipeline.apply("ReadRows", ReadInputRows.from(options.getInput(), options.getInputFormat()));
    PCollectionTuple scored = rows.get(ReadInputRows.ROWS).apply("Predict",
        Predict.with(model, storage)
            .withBatchSize(options.getBatchSize())
            .withKeyColumn(options.getKeyColumn()));
    scored.get(Predict.PREDICTIONS)
        .apply("WritePredictions", TextIO.write().to(options.getPredictions()).withSuffix(".jsonl"));
    PCollectionList.of(rows.get(ReadInputRows.REJECTED))
        .and(scored.get(Predict.REJECTED))
        .apply("AllRejected", Flatten.pCollections())
        .apply("RejectedAsJson",
            MapElements.into(TypeDescriptors.strings()).via(Rejection::toJsonLine))
        .apply("WriteRejected", TextIO.write().to(rejectedPrefix).withSuffix(".jsonl"));
    return TemplateLaunch.runOrSubmit(pipeline);
  }
}
