package io.beamtrain.pipelines.preprocess;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Splits rows into {@link #TRAIN} and {@link #EVAL} by a seeded fingerprint of each row's content
 * (see {@link RowFingerprint}): a row goes to eval when its fingerprint, mapped to [0, 1), is below
 * the eval fraction. The same rows, seed and fraction always give the same split, on any runner and
 * with any parallelism; the eval share is the fraction up to sampling noise (binomial, so within a
 * few {@code sqrt(n f (1 - f))} rows).
 */
public final class SplitExamples extends PTransform<PCollection<ParsedRow>, PCollectionTuple> {
  public static final TupleTag<ParsedRow> TRAIN = new TupleTag<>() {};
  public static final TupleTag<ParsedRow> EVAL = new TupleTag<>() {};

  /** Default share of rows held out for evaluation. */
  public static final double DEFAULT_EVAL_FRACTION = 0.2;
  /** Default seed of the split. */
  public static final long DEFAULT_SEED = 42L;

  private final double evalFraction;
  private final long seed;

  private SplitExamples(double evalFraction, long seed) {
    if (!(evalFraction >= 0.0 && evalFraction < 1.0)) {
      throw new IllegalArgumentException(
          "--evalFraction must be in [0, 1), was " + evalFraction);
    }
    this.evalFraction = evalFraction;
    this.seed = seed;
  }

  /** A split with eval fraction {@value #DEFAULT_EVAL_FRACTION} and seed {@value #DEFAULT_SEED}. */
  public static SplitExamples create() {
    return new SplitExamples(DEFAULT_EVAL_FRACTION, DEFAULT_SEED);
  }

  public SplitExamples withEvalFraction(double fraction) {
    return new SplitExamples(fraction, seed);
  }

  public SplitExamples withSeed(long newSeed) {
    return new SplitExamples(evalFraction, newSeed);
  }

  @Override
  public PCollectionTuple expand(PCollection<ParsedRow> rows) {
    PCollectionTuple split =
        rows.apply(
            "AssignSplit",
            ParDo.of(new SplitFn(evalFraction, seed))
                .withOutputTags(TRAIN, TupleTagList.of(EVAL)));
    split.get(TRAIN).setCoder(ParsedRowCoder.of());
    split.get(EVAL).setCoder(ParsedRowCoder.of());
    return split;
  }

  /** The rule of the split, also applied by {@link ParseAndWrite}: is a row with this fingerprint eval? */
  static boolean isEval(long fingerprint, double evalFraction) {
    return RowFingerprint.toUnitInterval(fingerprint) < evalFraction;
  }

  private static final class SplitFn extends DoFn<ParsedRow, ParsedRow> {
    private final double evalFraction;
    private final long seed;
    private transient RowFingerprint fingerprint;

    SplitFn(double evalFraction, long seed) {
      this.evalFraction = evalFraction;
      this.seed = seed;
    }

    @Setup
    public void setup() {
      fingerprint = new RowFingerprint(seed);
    }

    @ProcessElement
    public void process(@Element ParsedRow row, MultiOutputReceiver out) {
      out.get(isEval(fingerprint.of(row), evalFraction) ? EVAL : TRAIN).output(row);
    }
  }
}
