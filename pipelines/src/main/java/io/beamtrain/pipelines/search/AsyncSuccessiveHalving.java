package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.search.AshaSchedule.Decision;
import io.beamtrain.pipelines.search.AshaSchedule.Done;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.search.AshaSchedule.Promote;
import io.beamtrain.pipelines.search.AshaSchedule.Start;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.SpreadOverWorkers;
import io.beamtrain.pipelines.sweep.TrialExecutor;
import io.beamtrain.pipelines.sweep.TrialObservers;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous successive halving (ASHA) as a Beam stage: {@code workers} elements, spread over
 * the runner's workers, each run a loop that asks {@link AshaSchedule} what to do next, claims
 * that job in the shared {@link JobLog} under {@code <output>/search/}, trains it (a promoted
 * trial continues from its own latest checkpoint up to the next rung's budget), records the
 * outcome, and asks again, until the schedule is done. Synchronous successive halving ({@link
 * SuccessiveHalving}) has to train a whole rung before it promotes anything; ASHA promotes a trial
 * as soon as it is in the top {@code 1 / eta} of the jobs finished at its rung, so good trials
 * reach the large budgets early and no worker idles at a rung barrier.
 *
 * <p>Beam has no loops between stages, so the loop lives inside a DoFn and the coordination in
 * object storage: claims are create-if-absent writes (see {@link JobLog}), which makes the stage
 * correct on any runner and with any number of workers, and resumable: a job claimed and never
 * finished is re-run by the worker of the same number (modulo the current count) on the next
 * attempt or the next run against the same output. Results come from the trials' result.json
 * files once every worker has finished, so a retried bundle loses nothing.
 *
 * <p>New trials come from an {@link AshaSampler}: the study's random trials in order, or TPE
 * proposals fitted on the log ({@link #withSampler}). Each start records the trial's parameters in
 * the log, so the log alone says what every trial is.
 *
 * <p>With one worker the search is deterministic for a given seed; with more, which trial is
 * promoted when depends on which job finishes first, as in every asynchronous search.
 *
 * <p>Emits one result per trial started.
 */
public final class AsyncSuccessiveHalving extends PTransform<PBegin, PCollection<TrialResult>> {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncSuccessiveHalving.class);

  private final AshaSampler sampler;
  private final AshaSchedule schedule;
  private final int workers;
  private final TrialSettings settings;
  private final PCollection<?> signal;

  private AsyncSuccessiveHalving(
      AshaSampler sampler, AshaSchedule schedule, int workers, TrialSettings settings, PCollection<?> signal) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    this.sampler = sampler;
    this.schedule = schedule;
    this.workers = workers;
    this.settings = settings;
    this.signal = signal;
  }

  /**
   * @param trials the study's trials in index order; the schedule starts them in this order
   * @param workers how many jobs run at once (each one a TensorFlow session sized for that many)
   * @param settings shared trial settings; {@code trainSteps} is replaced by each job's budget
   */
  public static AsyncSuccessiveHalving of(
      List<Trial> trials, AshaSchedule schedule, int workers, TrialSettings settings) {
    if (trials.size() < schedule.maxTrials()) {
      throw new IllegalArgumentException(
          "the schedule starts " + schedule.maxTrials() + " trials, got " + trials.size());
    }
    // At most `workers` trials train at once, so TF's threads are sized for that many.
    TrialSettings sized = settings.withTrialCount(workers)
        .withTrialsPerWorker(Math.min(settings.trialsPerWorker(), workers));
    return new AsyncSuccessiveHalving(AshaSampler.random(trials), schedule, workers, sized, null);
  }

  /** The same search with new trials from {@code sampler}. */
  public AsyncSuccessiveHalving withSampler(AshaSampler sampler) {
    return new AsyncSuccessiveHalving(sampler, schedule, workers, settings, signal);
  }

  /** The same search, started only when {@code signal} is complete (e.g. the data is written). */
  public AsyncSuccessiveHalving after(PCollection<?> signal) {
    return new AsyncSuccessiveHalving(sampler, schedule, workers, settings, signal);
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    PCollection<Integer> numbers = begin.apply("CreateWorkers",
        Create.of(IntStream.range(0, workers).boxed().toList()).withCoder(VarIntCoder.of()));
    if (signal != null) {
      numbers = numbers.apply("WaitForData", Wait.on(signal));
    }
    PCollection<Integer> jobsRun = numbers
        .apply("SpreadOverWorkers", SpreadOverWorkers.<Integer>byIndex(w -> w))
        .apply("RunWorkers", ParDo.of(new WorkerFn(sampler, schedule, workers, settings)))
        .setCoder(VarIntCoder.of());
    return begin
        .apply("JobLog", Create.of(settings.layout().jobLog()).withCoder(StringUtf8Coder.of()))
        .apply("AfterAllWorkers", Wait.on(jobsRun))
        .apply("TrialsInLog", ParDo.of(new TrialsInLogFn(settings)))
        .setCoder(StringUtf8Coder.of())
        .apply("SpreadReads", Reshuffle.viaRandomKey())
        .apply("ReadResults", ParDo.of(new ReadResultFn(settings)))
        .setCoder(TrialResultCoder.of());
  }

  /** One worker's loop; emits how many jobs it ran. */
  static final class WorkerFn extends DoFn<Integer, Integer> {
    /** How long a worker with nothing to do sleeps before reading the log again, at most. */
    private static final long MAX_WAIT_MILLIS = 2_000;

    private final AshaSampler sampler;
    private final AshaSchedule schedule;
    private final int workers;
    private final TrialSettings settings;
    private final TrialObservers observers;
    private final Counter stepsTrained = Metrics.counter(RunTrials.SEARCH_NAMESPACE, RunTrials.STEPS_TRAINED);
    private final Counter trialsStarted = Metrics.counter(RunTrials.METRICS_NAMESPACE, RunTrials.TRIALS_STARTED);

    WorkerFn(AshaSampler sampler, AshaSchedule schedule, int workers, TrialSettings settings) {
      this.sampler = sampler;
      this.schedule = schedule;
      this.workers = workers;
      this.settings = settings;
      this.observers = new TrialObservers(settings);
    }

    @ProcessElement
    public void process(@Element Integer worker, OutputReceiver<Integer> out) throws InterruptedException {
      String dir = settings.layout().jobLog();
      JobLog log = new JobLog(dir, Storages.forPath(dir, settings.storage()));
      int maxBudget = schedule.budgets().get(schedule.budgets().size() - 1);
      int ran = 0;
      long waitMillis = 50;
      while (true) {
        JobLog.Snapshot snapshot = log.read();
        Job unfinished = snapshot.unfinished().stream()
            .filter(j -> j.worker() % workers == worker).findFirst().orElse(null);
        if (unfinished != null) {
          // Claimed by this worker number in an attempt that died (or a run with more workers).
          LOG.info("{}: resuming job {} ({} up to {} steps) left unfinished by an earlier attempt",
              dir, unfinished.index(), unfinished.trial(), unfinished.budget());
          run(unfinished, log);
          ran++;
          continue;
        }
        Decision decision = schedule.next(snapshot.jobs(), snapshot.outcomes());
        if (decision instanceof Done) {
          break;
        }
        Job job = null;
        Trial started = null;
        if (decision instanceof Promote p) {
          job = new Job(snapshot.nextIndex(), p.trial(), p.rung(), schedule.budgets().get(p.rung()), worker);
        } else if (decision instanceof Start s) {
          started = SuccessiveHalving.withScheduleHorizon(sampler.propose(s.trialIndex(), snapshot), maxBudget);
          job = new Job(snapshot.nextIndex(), started.id(), 0, schedule.budgets().get(0), worker);
        }
        if (job == null) {
          // Nothing to claim now (every trial started, or the step budget spoken for); a running
          // job may still make a promotion possible.
          Thread.sleep(waitMillis);
          waitMillis = Math.min(MAX_WAIT_MILLIS, waitMillis * 2);
          continue;
        }
        waitMillis = 50;
        if (log.claim(job, started)) {
          if (job.rung() == 0) {
            trialsStarted.inc();
          }
          run(job, log);
          ran++;
        }
        // A lost claim needs nothing: the next read sees the winner's job and decides again.
      }
      out.output(ran);
    }

    private void run(Job job, JobLog log) {
      Trial trial = log.trial(job.trial());
      if (trial == null) {
        throw new IllegalStateException(log.path(job.index()) + " names " + job.trial()
            + ", which no job of the log started (with its parameters)");
      }
      TrialExecutor executor = new TrialExecutor(settings.withTrainSteps(job.budget()));
      TrainingListener countSteps = new TrainingListener() {
        @Override
        public void onLoopEnd(LoopTimings timings) {
          stepsTrained.inc(timings.steps());
        }
      };
      TrialResult result = executor.execute(trial, TrainingListener.all(countSteps, observers.listenerFor(trial)));
      log.finish(job.index(),
          new Outcome(result.status(), result.metric(settings.metric().name()), result.steps(),
              settings.objectives().isSingleMetricOnly() ? java.util.Map.of() : result.metrics()));
    }
  }

  /** The trials the log started, each once, in the order they started. */
  static final class TrialsInLogFn extends DoFn<String, String> {
    private final TrialSettings settings;

    TrialsInLogFn(TrialSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element String dir, OutputReceiver<String> out) {
      Set<String> started = new LinkedHashSet<>();
      for (Job job : new JobLog(dir, Storages.forPath(dir, settings.storage())).read().jobs()) {
        started.add(job.trial());
      }
      started.forEach(out::output);
    }
  }

  /** A trial's latest result.json. */
  static final class ReadResultFn extends DoFn<String, TrialResult> {
    private final TrialSettings settings;

    ReadResultFn(TrialSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element String trial, OutputReceiver<TrialResult> out) {
      OutputLayout layout = settings.layout();
      String path = layout.resultJson(trial);
      Storage storage = Storages.forPath(path, settings.storage());
      try {
        out.output(TrialResult.fromJson(new String(storage.readBytes(path), StandardCharsets.UTF_8), path));
      } catch (StorageException e) {
        if (e.kind() != StorageException.Kind.NOT_FOUND) {
          throw e;
        }
        throw new IllegalStateException(path + ": missing although the job log ran " + trial
            + "; every job writes its trial's result.json", e);
      }
    }
  }
}
