package io.beamtrain.pipelines.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.TrialStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ASHA's shared state: a log of jobs in object storage that workers append to without any other
 * coordination. Job {@code n} is claimed by creating {@code job-<n>.json} only if it does not
 * exist yet (a GCS {@code ifGenerationMatch=0} precondition, a create-new on local disk): of two
 * workers deciding job {@code n} at once exactly one wins, and the other re-reads the log and
 * decides again. A job that starts a trial also records the trial's parameters and seed, so the
 * log alone says what every trial is (ASHA's sampler may propose them as it goes). The claimer
 * writes {@code job-<n>.done.json} when the job ends. Both files are
 * written once and never change, so a reader caches them and each {@link #read} fetches only the
 * new ones after one listing.
 *
 * <p>The log is what makes the search resumable: a job claimed and never finished (its worker
 * died) is re-run by a worker of the same number, and the trial resumes from its latest committed
 * checkpoint.
 *
 * <p>Not thread-safe: each worker keeps its own {@code JobLog}.
 */
public final class JobLog {
  private static final Pattern FILE = Pattern.compile("job-(\\d{6,})(\\.done)?\\.json");
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String dir;
  private final Storage storage;
  private final TreeMap<Integer, Job> jobs = new TreeMap<>();
  private final Map<Integer, Outcome> outcomes = new HashMap<>();
  private final Map<String, Trial> trials = new HashMap<>();

  /** @param dir the log's prefix, e.g. {@code gs://b/sweep/search} (no trailing slash needed) */
  public JobLog(String dir, Storage storage) {
    this.dir = dir.endsWith("/") ? dir : dir + "/";
    this.storage = storage;
  }

  /**
   * The log as it is now: jobs {@code 0..n-1} in order, the outcomes of those that finished, and
   * the trials the log started (by id; empty for entries written without their parameters).
   */
  public record Snapshot(List<Job> jobs, Map<Integer, Outcome> outcomes, Map<String, Trial> trials) {
    public Snapshot {
      jobs = List.copyOf(jobs);
      outcomes = Map.copyOf(outcomes);
      trials = Map.copyOf(trials);
    }

    /** The index the next claim takes. */
    public int nextIndex() {
      return jobs.size();
    }

    /** Jobs claimed and not finished. */
    public List<Job> unfinished() {
      return jobs.stream().filter(j -> !outcomes.containsKey(j.index())).toList();
    }
  }

  /** Lists the log and reads the files this reader has not seen yet. */
  public Snapshot read() {
    for (StorageObject object : storage.list(dir)) {
      String name = object.path().substring(dir.length());
      Matcher m = FILE.matcher(name);
      if (!m.matches()) {
        continue;
      }
      int index = Integer.parseInt(m.group(1));
      boolean done = m.group(2) != null;
      if (done && !outcomes.containsKey(index)) {
        outcomes.put(index, parse(object.path(), OutcomeJson.class).toOutcome());
      } else if (!done && !jobs.containsKey(index)) {
        JobJson entry = parse(object.path(), JobJson.class);
        jobs.put(index, entry.toJob(index, object.path()));
        if (entry.params() != null) {
          trials.put(entry.trial(), new Trial(entry.trial(), Trial.indexOf(entry.trial()), new TreeMap<>(entry.params()),
              entry.seed() == null ? 0 : entry.seed()));
        }
      }
    }
    // Claims are taken in order, so the log is always 0..n-1; a gap means someone wrote here by hand.
    List<Job> ordered = new ArrayList<>();
    for (Job job : jobs.values()) {
      if (job.index() != ordered.size()) {
        throw new BadInputException(path(ordered.size()) + ": missing from the job log, but "
            + path(job.index()) + " exists; the log under " + dir + " was changed by hand");
      }
      ordered.add(job);
    }
    return new Snapshot(ordered, outcomes, trials);
  }

  /** Claims {@code job} (its index must be the next one); false when another worker took that index first. */
  public boolean claim(Job job) {
    return claim(job, null);
  }

  /**
   * Claims {@code job}, recording {@code started}'s parameters and seed when the job starts that
   * trial (null for a promotion); false when another worker took that index first.
   */
  public boolean claim(Job job, Trial started) {
    byte[] data = write(new JobJson(job.trial(), job.rung(), job.budget(), job.worker(),
        started == null ? null : started.params(), started == null ? null : started.seed()));
    if (!storage.compareAndSet(path(job.index()), data, StorageObject.NO_GENERATION)) {
      return false;
    }
    jobs.put(job.index(), job);
    if (started != null) {
      trials.put(started.id(), started);
    }
    return true;
  }

  /** The trial {@code id} as a job of the log started it (as of the last read or claim), or null. */
  public Trial trial(String id) {
    return trials.get(id);
  }

  /** Records how job {@code index} ended. Only the worker running the job calls this. */
  public void finish(int index, Outcome outcome) {
    storage.writeBytes(donePath(index), write(OutcomeJson.of(outcome)));
    outcomes.put(index, outcome);
  }

  String path(int index) {
    return dir + String.format("job-%06d.json", index);
  }

  String donePath(int index) {
    return dir + String.format("job-%06d.done.json", index);
  }

  private <T> T parse(String path, Class<T> type) {
    try {
      return JSON.readValue(new String(storage.readBytes(path), StandardCharsets.UTF_8), type);
    } catch (JsonProcessingException e) {
      throw new BadInputException(path + ": not a job log entry: " + e.getOriginalMessage());
    }
  }

  private static byte[] write(Object value) {
    try {
      return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a job log entry", e);
    }
  }

  /** {@code job-<n>.json}; {@code params} and {@code seed} only when the job starts its trial. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record JobJson(
      @JsonProperty("trial") String trial,
      @JsonProperty("rung") int rung,
      @JsonProperty("budget") int budget,
      @JsonProperty("worker") int worker,
      @JsonProperty("params") Map<String, Object> params,
      @JsonProperty("seed") Long seed) {

    Job toJob(int index, String path) {
      if (trial == null || rung < 0 || budget < 1) {
        throw new BadInputException(path + ": a job needs trial, rung and budget, was " + this);
      }
      return new Job(index, trial, rung, budget, worker);
    }
  }

  /**
   * {@code job-<n>.done.json}; a non-finite metric is written as null (JSON has no NaN). {@code
   * metrics} (every finite metric of the result, for a multi-objective rung) is written only when
   * there are any, so a single-metric study's outcomes stay as they were.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record OutcomeJson(
      @JsonProperty("status") TrialStatus status,
      @JsonProperty("metric") Double metric,
      @JsonProperty("steps") long steps,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("metrics") java.util.Map<String, Double> metrics) {

    static OutcomeJson of(Outcome outcome) {
      java.util.Map<String, Double> finite = new java.util.TreeMap<>();
      outcome.metrics().forEach((name, value) -> {
        if (value != null && Double.isFinite(value)) {
          finite.put(name, value);
        }
      });
      return new OutcomeJson(
          outcome.status(), Double.isFinite(outcome.metric()) ? outcome.metric() : null, outcome.steps(), finite);
    }

    Outcome toOutcome() {
      return new Outcome(status == null ? TrialStatus.FAILED : status, metric == null ? Double.NaN : metric, steps,
          metrics);
    }
  }
}
