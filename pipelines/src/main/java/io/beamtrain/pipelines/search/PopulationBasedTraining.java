package io.beamtrain.pipelines.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointTransplant;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.study.PbtSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialResult.Exploit;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.train.TrialDirectory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Population-based training (Jaderberg et al. 2017) as synchronous generations of Beam stages:
 * generation {@code g} trains every member up to {@code min((g + 1) * perturbationInterval,
 * trainSteps)} steps (the one trial-training stage, {@link RunTrials#rung}, each member resuming
 * from its own latest checkpoint), then one exploit stage ranks the members at that step ({@link
 * PbtExploit}), and each bottom member receives a copy of its donor's latest checkpoint, optimizer
 * state included ({@link CheckpointTransplant}), and the donor's hyperparameters perturbed ({@link
 * PbtExplore}), recorded in its result.json's {@code lineage}; the trainer trains a member with a
 * lineage with its latest values. The members are always the study's trials as they started, so
 * params.json never changes.
 *
 * <p>Why synchronous generations rather than ASHA's asynchronous workers: PBT compares members at
 * the same step, which a barrier gives exactly, and it makes the search a pure function of (data,
 * study, seed) on any runner and with any parallelism, not only with one worker; the price is a
 * barrier per interval, small since every member trains the same steps in a generation.
 *
 * <p>Resumable: the exploit of step {@code s} first records its decisions in {@code
 * search/pbt-<s>.json} (created only if absent; a re-run reads them back), then applies each one
 * unless the recipient's lineage already holds it, and a transplant interrupted half-way is simply
 * done again. A re-run against the same output returns finished generations' members as they are
 * (their result.json says they reached the budget) and goes on from the first unfinished one.
 */
public final class PopulationBasedTraining extends PTransform<PBegin, PCollection<TrialResult>> {
  private static final Logger LOG = LoggerFactory.getLogger(PopulationBasedTraining.class);

  private final List<Trial> population;
  private final StudySpec study;
  private final PbtSettings pbt;
  private final TrialSettings settings;
  private final PCollection<?> signal;

  private PopulationBasedTraining(
      List<Trial> population, StudySpec study, PbtSettings pbt, TrialSettings settings, PCollection<?> signal) {
    this.population = List.copyOf(population);
    this.study = study;
    this.pbt = pbt;
    this.settings = settings;
    this.signal = signal;
  }

  /** The study's PBT, every member trained with {@code settings} (whose {@code trainSteps} each generation replaces). */
  public static PopulationBasedTraining of(StudySpec study, TrialSettings settings) {
    PbtSettings pbt = PbtSettings.of(study);
    return new PopulationBasedTraining(population(study, pbt), study, pbt, settings, null);
  }

  /** The same, started only once {@code signal} is complete. */
  public PopulationBasedTraining after(PCollection<?> signal) {
    return new PopulationBasedTraining(population, study, pbt, settings, signal);
  }

  /** The members as they start: random trials, a decaying learning rate spanning {@code trainSteps}. */
  public static List<Trial> population(StudySpec study, PbtSettings pbt) {
    return study.withMaxTrials(pbt.populationSize()).trials().stream()
        .map(t -> SuccessiveHalving.withScheduleHorizon(t, study.trainSteps()))
        .toList();
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    PCollection<Trial> members = begin.apply("Population",
        Create.of(population).withCoder(SerializableCoder.of(Trial.class)));
    if (signal != null) {
      members = members.apply("WaitForData", Wait.on(signal));
    }
    int generations = pbt.generations(study.trainSteps());
    PCollection<TrialResult> results = null;
    for (int g = 0; g < generations; g++) {
      int start = g * pbt.perturbationInterval();
      int end = Math.min(start + pbt.perturbationInterval(), study.trainSteps());
      results = members.apply("Generation" + g, RunTrials.rung(settings).withBudget(end));
      if (g + 1 < generations) {
        members = results
            .apply("Exploit" + g + "/All", WithKeys.of((TrialResult r) -> "population")
                .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), TrialResultCoder.of()))
            .apply("Exploit" + g + "/Gather", GroupByKey.create())
            .apply("Exploit" + g + "/Apply", ParDo.of(new ExploitFn(population, study, pbt, settings, end)))
            .setCoder(SerializableCoder.of(Trial.class));
      }
    }
    return results;
  }

  /** The exploit and explore of one generation's end; emits the members for the next. */
  static final class ExploitFn extends DoFn<KV<String, Iterable<TrialResult>>, Trial> {
    private final List<Trial> population;
    private final StudySpec study;
    private final PbtSettings pbt;
    private final TrialSettings settings;
    private final int step;

    ExploitFn(List<Trial> population, StudySpec study, PbtSettings pbt, TrialSettings settings, int step) {
      this.population = population;
      this.study = study;
      this.pbt = pbt;
      this.settings = settings;
      this.step = step;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<TrialResult>> all, OutputReceiver<Trial> out) {
      List<TrialResult> results = StreamSupport.stream(all.getValue().spliterator(), false)
          .sorted(Comparator.comparing(TrialResult::trial)).toList();
      Decisions log = new Decisions(settings);
      List<PbtExploit.Decision> decisions = log.readOrWrite(step, () -> PbtExploit.decide(results, settings.metric(),
          pbt, new PbtExplore(study.parameters(), pbt), study.seed(), step));
      for (PbtExploit.Decision decision : decisions) {
        long earlier = log.countBefore(step, decision.recipient());
        apply(decision, earlier);
      }
      population.forEach(out::output);
    }

    /** Applies {@code decision} unless the recipient's lineage already holds it (its {@code earlier} exploits and this one). */
    private void apply(PbtExploit.Decision decision, long earlier) {
      TrialDirectory recipientDir = new TrialDirectory(settings.layout().trialDir(decision.recipient()), settings.storage());
      TrialResult recipient = recipientDir.readResult().orElseThrow(() -> new IllegalStateException(
          recipientDir.resultPath() + ": missing, but generation " + step + " trained " + decision.recipient()));
      if (recipient.lineage().size() > earlier) {
        return;
      }
      String donorPath = settings.layout().trialDir(decision.donor());
      TrialResult donor = new TrialDirectory(donorPath, settings.storage()).readResult().orElseThrow(
          () -> new IllegalStateException(donorPath + ": no result.json for the donor " + decision.donor()));
      Checkpoint copy = CheckpointTransplant.copyLatest(donorPath, recipientDir.path(), settings.storage());
      List<Evaluation> history = donor.history().stream().filter(e -> e.step() <= copy.step()).toList();
      Evaluation best = history.stream().filter(e -> e.step() == copy.step()).findFirst()
          .orElse(new Evaluation(copy.step(), copy.metrics()));
      List<Exploit> lineage = new ArrayList<>(recipient.lineage());
      lineage.add(new Exploit(copy.step(), decision.donor(), decision.before(), decision.after()));
      recipientDir.writeResult(new TrialResult(recipient.trial(), TrialStatus.RUNNING, copy.step(), copy.step(),
          best.metrics(), history, recipient.params(), recipient.seed(), null, null, recipient.elapsedSeconds(),
          lineage));
      LOG.info("{}: took {}'s checkpoint at step {}; now {}", decision.recipient(), decision.donor(), copy.step(),
          decision.after());
    }
  }

  /**
   * The exploit decisions of each generation, {@code search/pbt-<step>.json}: created only if
   * absent, so a re-run applies the decisions the first run made.
   */
  static final class Decisions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String dir;
    private final Storage storage;

    Decisions(TrialSettings settings) {
      this.dir = settings.layout().jobLog();
      this.storage = Storages.forPath(dir, settings.storage());
    }

    String path(int step) {
      return StoragePaths.join(dir, String.format("pbt-%06d.json", step));
    }

    List<PbtExploit.Decision> readOrWrite(int step, java.util.function.Supplier<List<PbtExploit.Decision>> decide) {
      Optional<List<PbtExploit.Decision>> recorded = read(step);
      if (recorded.isPresent()) {
        LOG.info("{}: re-applying the recorded exploit decisions", path(step));
        return recorded.get();
      }
      List<PbtExploit.Decision> decisions = decide.get();
      if (!storage.compareAndSet(path(step), write(decisions), StorageObject.NO_GENERATION)) {
        return read(step).orElseThrow();
      }
      return decisions;
    }

    /** How many exploits of {@code recipient} the generations before {@code step} decided. */
    long countBefore(int step, String recipient) {
      long count = 0;
      for (StorageObject o : storage.list(StoragePaths.join(dir, "pbt-"))) {
        String name = o.path().substring(o.path().lastIndexOf('/') + 1);
        if (!name.matches("pbt-\\d{6,}\\.json")) {
          continue;
        }
        int at = Integer.parseInt(name.substring(4, name.length() - 5));
        if (at < step) {
          count += read(at).orElseThrow().stream().filter(d -> d.recipient().equals(recipient)).count();
        }
      }
      return count;
    }

    private Optional<List<PbtExploit.Decision>> read(int step) {
      String path = path(step);
      Optional<byte[]> bytes = storage.readIfExists(path);
      if (bytes.isEmpty()) {
        return Optional.empty();
      }
      try {
        JsonNode root = JSON.readTree(new String(bytes.get(), StandardCharsets.UTF_8));
        List<PbtExploit.Decision> decisions = new ArrayList<>();
        for (JsonNode d : root.path("exploits")) {
          decisions.add(new PbtExploit.Decision(text(d, "recipient", path), text(d, "donor", path),
              values(d.get("before")), values(d.get("after"))));
        }
        return Optional.of(decisions);
      } catch (JsonProcessingException e) {
        throw new BadInputException(path + ": not PBT's exploit record: " + e.getOriginalMessage());
      }
    }

    private static String text(JsonNode node, String field, String path) {
      JsonNode value = node.get(field);
      if (value == null || !value.isTextual()) {
        throw new BadInputException(path + ": an exploit needs '" + field + "'");
      }
      return value.asText();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> values(JsonNode node) {
      return node == null ? Map.of() : JSON.convertValue(node, LinkedHashMap.class);
    }

    private static byte[] write(List<PbtExploit.Decision> decisions) {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode list = root.putArray("exploits");
      for (PbtExploit.Decision d : decisions) {
        ObjectNode entry = list.addObject();
        entry.put("recipient", d.recipient());
        entry.put("donor", d.donor());
        entry.set("before", JSON.valueToTree(d.before()));
        entry.set("after", JSON.valueToTree(d.after()));
      }
      try {
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write PBT's exploit record", e);
      }
    }
  }
}
