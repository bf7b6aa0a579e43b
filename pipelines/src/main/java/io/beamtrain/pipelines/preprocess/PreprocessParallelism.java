package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DirectRunner's {@code --targetParallelism} for a preprocess run: at most one runner thread
 * per input file. Each file is one element processed by one bundle ({@link ParseAndWrite}), whose
 * encoding and compression already run on a pool of one thread per core ({@link SplitParts}); a
 * runner thread beyond the file count has no bundle to run and only lends a core to Beam's
 * monitor task, which resubmits itself with no wait (apache/beam#18070) and spins in {@code
 * WatermarkManager.extractFiredTimers} while the files are parsed: with 2 threads on one file,
 * 102 of 189 runner-thread samples of a JFR profile were that spin, with 1 thread 3 (the
 * monitor then queues behind the bundle). Other runners, and BigQuery input, are left alone.
 */
public final class PreprocessParallelism {
  private static final Logger LOG = LoggerFactory.getLogger(PreprocessParallelism.class);

  private PreprocessParallelism() {}

  /** {@code target} lowered to {@code files}, at least 1; {@code target} when files is unknown. */
  static int forFiles(int target, long files) {
    if (files <= 0) {
      return target;
    }
    return (int) Math.max(1, Math.min(target, files));
  }

  /**
   * On the DirectRunner, lowers {@code --targetParallelism} of {@code options} to the number of
   * files that {@code settings.input()} matches now. Call after the file systems are set up and
   * before the pipeline runs. A pattern that cannot be matched here leaves it unchanged (the
   * pipeline reports the problem).
   */
  public static void limitToInputFiles(PipelineOptions options, PreprocessSettings settings) {
    String runner = options.getRunner().getSimpleName();
    if (!(runner.equals("DirectRunner") || runner.equals("TestDirectRunner"))
        || BigQueryRead.isBigQuery(settings.input())) {
      return;
    }
    long files;
    try {
      MatchResult match = FileSystems.match(settings.input(), EmptyMatchTreatment.ALLOW);
      files = match.status() == MatchResult.Status.OK ? match.metadata().size() : 0;
    } catch (IOException | RuntimeException e) {
      return;
    }
    DirectOptions direct = options.as(DirectOptions.class);
    int target = direct.getTargetParallelism();
    int chosen = forFiles(target, files);
    if (chosen != target) {
      LOG.info("DirectRunner --targetParallelism {} for {} input file(s) (was {})", chosen, files, target);
      direct.setTargetParallelism(chosen);
    }
  }
}
