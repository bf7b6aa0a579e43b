package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Makes a run's preprocessed slice use the champion's feature transform: rewrites the run's
 * {@code transform.json} with the champion's label vocabulary and per-feature analyzer results
 * (vocabularies, means, standard deviations), keeping the slice's own split (shards and counts).
 * Warm starting copies weights by position, so the one-hot columns and class indices must mean
 * what they meant to the champion; a fresh vocabulary of the new slice (other order, a value more
 * or less) would change the variables' shapes or, worse, silently their meaning. The shards hold
 * raw values, so only transform.json changes. Values the champion never saw go to its OOV bucket;
 * a label class it never saw is an error when the data is read.
 *
 * <p>Input and output: the data directory signal of the {@code Preprocess} composite, passed on
 * once transform.json is rewritten.
 */
public final class AdoptChampionTransform extends PTransform<PCollection<String>, PCollection<String>> {
  private final String championTransform;
  private final String runTransform;
  private final StorageConfig storage;

  private AdoptChampionTransform(String championTransform, String runTransform, StorageConfig storage) {
    this.championTransform = championTransform;
    this.runTransform = runTransform;
    this.storage = storage;
  }

  public static AdoptChampionTransform of(String championTransform, String runTransform, StorageConfig storage) {
    return new AdoptChampionTransform(championTransform, runTransform, storage);
  }

  @Override
  public PCollection<String> expand(PCollection<String> dataWritten) {
    return dataWritten
        .apply("RewriteTransformJson", ParDo.of(new AdoptFn(championTransform, runTransform, storage)))
        .setCoder(StringUtf8Coder.of());
  }

  /** The slice's transform with the champion's label and features; mismatched columns fail. */
  static TransformSpec adopt(TransformSpec champion, String championSource, TransformSpec slice, String sliceSource) {
    if (!champion.label().name().equals(slice.label().name())
        || champion.label().task() != slice.label().task()) {
      throw new BadInputException(sliceSource + ": label " + slice.label().name() + " ("
          + slice.label().task() + ") differs from the champion's " + champion.label().name() + " ("
          + champion.label().task() + ", " + championSource + ")");
    }
    List<String> championColumns = columns(champion.features());
    List<String> sliceColumns = columns(slice.features());
    if (!championColumns.equals(sliceColumns)) {
      throw new BadInputException(sliceSource + ": the slice's feature columns " + sliceColumns
          + " differ from the champion's " + championColumns + " (" + championSource + ")");
    }
    return new TransformSpec(slice.version(), champion.label(), champion.features(), slice.split());
  }

  private static List<String> columns(List<FeatureSpec> features) {
    return features.stream().map(f -> f.name() + ":" + f.type()).toList();
  }

  static final class AdoptFn extends DoFn<String, String> {
    private final String championTransform;
    private final String runTransform;
    private final StorageConfig storage;

    AdoptFn(String championTransform, String runTransform, StorageConfig storage) {
      this.championTransform = championTransform;
      this.runTransform = runTransform;
      this.storage = storage;
    }

    @ProcessElement
    public void process(@Element String dataDir, OutputReceiver<String> out) {
      Storage store = Storages.forPath(runTransform, storage);
      TransformSpec champion = read(championTransform);
      TransformSpec slice = read(runTransform);
      TransformSpec adopted = adopt(champion, championTransform, slice, runTransform);
      store.writeBytes(runTransform, adopted.toJson().getBytes(StandardCharsets.UTF_8));
      out.output(dataDir);
    }

    private TransformSpec read(String path) {
      return TransformSpec.fromJson(
          new String(Storages.forPath(path, storage).readBytes(path), StandardCharsets.UTF_8), path);
    }
  }
}
