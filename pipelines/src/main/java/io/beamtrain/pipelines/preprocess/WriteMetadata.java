package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of preprocessing: once the analyzers are done and every shard and rejected file
 * is in place (they arrive as side inputs, which a runner makes available only when complete),
 * writes {@code stats.json}, checks the rejected share against {@code --maxRejectedFraction},
 * then writes {@code schema.json} and finally {@code transform.json}. {@code transform.json} is
 * the commit marker of the data directory: it is written last, in one atomic object write, so a
 * reader that finds it finds every shard it lists.
 *
 * <p>Input: a tuple with {@link #TRAIN_STATISTICS} and {@link #EVAL_STATISTICS} (one {@link
 * TableStatistics} each), {@link #TRAIN_FILES} and {@link #EVAL_FILES} (written paths) and
 * {@link #REJECTED_FILES} (the rejected file, if any, with its rows counted by reason). Output: one
 * element, the data directory, after {@code transform.json} is written. Fails with a {@link
 * BadInputException} when too many rows were rejected, no row was usable, or the label has
 * fewer than two classes in a classification.
 */
public final class WriteMetadata extends PTransform<PCollectionTuple, PCollection<String>> {
  public static final TupleTag<TableStatistics> TRAIN_STATISTICS = new TupleTag<>() {};
  public static final TupleTag<TableStatistics> EVAL_STATISTICS = new TupleTag<>() {};
  public static final TupleTag<String> TRAIN_FILES = new TupleTag<>() {};
  public static final TupleTag<String> EVAL_FILES = new TupleTag<>() {};
  public static final TupleTag<WriteRejected.Written> REJECTED_FILES = new TupleTag<>() {};

  /** Name of the schema file written beside transform.json. */
  public static final String SCHEMA_FILE_NAME = "schema.json";

  private final DataSchema schema;
  private final PreprocessSettings settings;

  private WriteMetadata(DataSchema schema, PreprocessSettings settings) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public static WriteMetadata of(DataSchema schema, PreprocessSettings settings) {
    return new WriteMetadata(schema, settings);
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    // One element; asIterable, unlike asSingleton, needs no combine (a shuffle) to make the view.
    PCollectionView<Iterable<TableStatistics>> eval =
        input.get(EVAL_STATISTICS).apply("EvalStatisticsView", View.asIterable());
    PCollectionView<List<String>> trainFiles =
        input.get(TRAIN_FILES).apply("TrainFilesView", View.asList());
    PCollectionView<List<String>> evalFiles =
        input.get(EVAL_FILES).apply("EvalFilesView", View.asList());
    // The rejected file with its rows counted by reason; none when no row was rejected.
    PCollectionView<List<WriteRejected.Written>> rejectedFiles =
        input.get(REJECTED_FILES).apply("RejectedFilesView", View.asList());
    return input
        .get(TRAIN_STATISTICS)
        .apply(
            "CommitDataset",
            ParDo.of(
                    new CommitFn(
                        schema, settings, eval, trainFiles, evalFiles, rejectedFiles))
                .withSideInputs(eval, trainFiles, evalFiles, rejectedFiles))
        .setCoder(StringUtf8Coder.of());
  }

  private static final class CommitFn extends DoFn<TableStatistics, String> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteMetadata.class);

    private final DataSchema schema;
    private final PreprocessSettings settings;
    private final PCollectionView<Iterable<TableStatistics>> evalView;
    private final PCollectionView<List<String>> trainFilesView;
    private final PCollectionView<List<String>> evalFilesView;
    private final PCollectionView<List<WriteRejected.Written>> rejectedFilesView;

    CommitFn(
        DataSchema schema,
        PreprocessSettings settings,
        PCollectionView<Iterable<TableStatistics>> evalView,
        PCollectionView<List<String>> trainFilesView,
        PCollectionView<List<String>> evalFilesView,
        PCollectionView<List<WriteRejected.Written>> rejectedFilesView) {
      this.schema = schema;
      this.settings = settings;
      this.evalView = evalView;
      this.trainFilesView = trainFilesView;
      this.evalFilesView = evalFilesView;
      this.rejectedFilesView = rejectedFilesView;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      TableStatistics train = context.element();
      java.util.Iterator<TableStatistics> evals = context.sideInput(evalView).iterator();
      TableStatistics eval = evals.next();
      if (evals.hasNext()) {
        throw new IllegalStateException("more than one eval statistics");
      }
      List<String> trainFiles = relativeNames(context.sideInput(trainFilesView));
      List<String> evalFiles = relativeNames(context.sideInput(evalFilesView));
      List<String> rejectedFiles = new ArrayList<>();
      Map<String, Long> reasons = new TreeMap<>();
      for (WriteRejected.Written written : context.sideInput(rejectedFilesView)) {
        rejectedFiles.add(written.path());
        written.byReason().forEach((reason, count) -> reasons.merge(reason, count, Long::sum));
      }

      String dataDir = settings.dataDir();
      DataStats stats = stats(train, eval, trainFiles, evalFiles, reasons);
      write(StoragePaths.join(dataDir, DataStats.FILE_NAME), stats.toJson());
      BeamTempFiles.sinkDirectories(dataDir).forEach(BeamTempFiles::removeEmptyLocalDirectory);

      String rejectedAt = rejectedFiles.isEmpty() ? dataDir : rejectedFiles.get(0);
      if (stats.rejectedFraction() > settings.maxRejectedFraction()) {
        throw new BadInputException(
            String.format(
                "%d of %d input rows (%.1f%%) were rejected, more than --maxRejectedFraction=%s"
                    + " allows; by reason: %s; each rejected row, its line and the reason are in"
                    + " %s",
                stats.rejected(),
                stats.rows(),
                100 * stats.rejectedFraction(),
                settings.maxRejectedFraction(),
                reasons,
                rejectedAt));
      }
      if (stats.examples() == 0) {
        throw new BadInputException(
            "--input=" + settings.input() + " has no usable row (" + stats.rows() + " rows read)");
      }
      if (train.rows() == 0) {
        throw new BadInputException(
            "the train split is empty: all "
                + stats.examples()
                + " rows went to eval with --evalFraction="
                + settings.evalFraction());
      }
      TransformSpec spec =
          TransformSpecs.build(
              schema,
              settings.evalFraction(),
              settings.splitSeed(),
              train,
              eval,
              trainFiles,
              evalFiles);
      write(
          StoragePaths.join(dataDir, SCHEMA_FILE_NAME),
          schema.withTask(spec.label().task()).toJson());
      write(StoragePaths.join(dataDir, TransformSpec.FILE_NAME), spec.toJson());
      LOG.info(
          "Preprocessed {} rows into {}: {} train and {} eval examples, {} rejected",
          stats.rows(),
          dataDir,
          train.rows(),
          eval.rows(),
          stats.rejected());
      context.output(dataDir);
    }

    private DataStats stats(
        TableStatistics train,
        TableStatistics eval,
        List<String> trainFiles,
        List<String> evalFiles,
        Map<String, Long> reasons) {
      long examples = train.rows() + eval.rows();
      long rejected = reasons.values().stream().mapToLong(Long::longValue).sum();
      long rows = examples + rejected;
      Map<String, Long> missing = new LinkedHashMap<>();
      for (String column : schema.columnNames()) {
        missing.put(column, train.column(column).missing() + eval.column(column).missing());
      }
      Map<String, DataStats.SplitStats> splits = new LinkedHashMap<>();
      splits.put("train", new DataStats.SplitStats(train.rows(), trainFiles, train.columns()));
      splits.put("eval", new DataStats.SplitStats(eval.rows(), evalFiles, eval.columns()));
      return new DataStats(
          settings.input(),
          rows,
          examples,
          rejected,
          rows == 0 ? 0.0 : (double) rejected / rows,
          settings.maxRejectedFraction(),
          reasons,
          missing,
          splits);
    }

    private void write(String path, String text) {
      Storages.forPath(path, settings.storageConfig())
          .writeBytes(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> relativeNames(List<String> paths) {
      List<String> names = new ArrayList<>(paths.size());
      for (String path : paths) {
        names.add(StoragePaths.fileName(path));
      }
      names.sort(null);
      return names;
    }
  }
}
