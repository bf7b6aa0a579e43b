package io.beamtrain.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** What a sweep searches and how hard: the study spec and per-run overrides of it. */
public interface StudyOptions extends PipelineOptions {

  @Description("Study spec (YAML or JSON, local or gs://). Default: the built-in study, a "
      + "quasi-random search of 8 DNN trials (learning rate, width, depth; 600 steps each) "
      + "selected by eval_loss.")
  String getStudy();

  void setStudy(String study);

  @Description("Seed of the sweep; overrides the study's seed. Trial parameters, data order and "
      + "weight initialisation all derive from it.")
  Long getSeed();

  void setSeed(Long seed);

  @Description("Number of trials; overrides the study's maxTrials.")
  Integer getMaxTrials();

  void setMaxTrials(Integer maxTrials);

  @Description("Training steps per trial; overrides the study's trainSteps.")
  Integer getTrainSteps();

  void setTrainSteps(Integer trainSteps);

  @Description("Trials one worker trains at the same time, which sizes each trial's TensorFlow "
      + "thread pools (cores / trialsPerWorker; one thread with --deterministic). 0 = from the "
      + "runner: DirectRunner --targetParallelism, FlinkRunner --parallelism, SparkRunner "
      + "local[N], otherwise the worker's cores.")
  @Default.Integer(0)
  int getTrialsPerWorker();

  void setTrialsPerWorker(int trialsPerWorker);

  @Description("Bit-identical results on the same data whatever the runner, the machine and the "
      + "trials per worker: every trial trains on one TensorFlow intra-op and one inter-op thread "
      + "(the shard layout preprocess chose does not matter for data that fits in memory). "
      + "Without it each trial gets cores / trialsPerWorker threads, faster on idle cores, but TensorFlow splits "
      + "matrix products and reductions by thread count, so results.jsonl can differ in the last "
      + "digits between runners, machines and parallelism (and, with more than one thread, from "
      + "run to run).")
  @Default.Boolean(false)
  boolean getDeterministic();

  void setDeterministic(boolean deterministic);

  @Description("Seconds between progress lines while a sweep runs (trials done, best so far, "
      + "ETA); 0 turns progress off.")
  @Default.Integer(5)
  int getProgressEverySeconds();

  void setProgressEverySeconds(int seconds);
}
