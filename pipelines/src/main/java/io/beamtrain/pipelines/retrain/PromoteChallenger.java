package io.beamtrain.pipelines.retrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.pipelines.OutputLayout;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a retrain run: takes best.json of the run's best challenger, scores the
 * challenger and the champion on the run's eval split ({@link ModelEvaluator}), applies {@link
 * Promotion}, and when the challenger wins publishes it as a new version and moves LATEST with a
 * compare-and-set from the generation read at launch. Writes run.json (the decision and why)
 * last and emits it. Runs once per run: its input is the single best.json.
 */
public final class PromoteChallenger extends PTransform<PCollection<String>, PCollection<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(PromoteChallenger.class);
  private static final ObjectMapper JSON_FOR_CARD = new ObjectMapper();
  private final RetrainRun run;

  private PromoteChallenger(RetrainRun run) {
    this.run = run;
  }

  public static PromoteChallenger of(RetrainRun run) {
    return new PromoteChallenger(run);
  }

  @Override
  public PCollection<String> expand(PCollection<String> bestJson) {
    return bestJson.apply("Decide", ParDo.of(new DecideFn(run))).setCoder(StringUtf8Coder.of());
  }

  static final class DecideFn extends DoFn<String, String> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RetrainRun run;

    DecideFn(RetrainRun run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element String bestJson, OutputReceiver<String> out) throws JsonProcessingException {
      out.output(decide(run, JSON.readTree(bestJson)).toJson());
    }
  }

  /** Decides, publishes and records; returns the run record it wrote. */
  public static RunRecord decide(RetrainRun run, JsonNode best) {
    OutputLayout layout = run.layout();
    Score challenger = ModelEvaluator.evaluate(layout.savedModel(), layout.data(), run.storage());
    Champion champion = run.champion();
    Score championScore = champion == null
        ? null
        : ModelEvaluator.evaluate(champion.savedModel(), layout.data(), run.storage());
    Promotion.Decision decision = Promotion.decide(championScore, challenger, run.minImprovement());
    String now = Instant.now().toString();
    String parent = champion == null ? null : champion.version();
    RunRecord record;
    if (!decision.promote()) {
      record = new RunRecord(run.id(), RunStatus.REJECTED, "not promoted: " + decision.reason(),
          parent, null, championScore, challenger, now);
    } else {
      String version = run.newVersion();
      run.registry().publish(layout.best(), layout.transformJson(), card(run, version, best, challenger, now));
      boolean advanced = run.registry().advanceLatest(run.expectedLatestGeneration(), version);
      record = advanced
          ? new RunRecord(run.id(), RunStatus.PROMOTED, "promoted: " + decision.reason(),
              parent, version, championScore, challenger, now)
          : new RunRecord(run.id(), RunStatus.LOST_RACE,
              "not promoted: " + run.registry().latestPath() + " changed since this run read it"
                  + " (another retrain promoted first); " + version + " is written but not the"
                  + " champion. The comparison was: " + decision.reason(),
              parent, version, championScore, challenger, now);
    }
    run.registry().writeRunRecord(record);
    LOG.info("{}", record.summary());
    return record;
  }

  private static ModelCard card(RetrainRun run, String version, JsonNode best, Score score, String now) {
    Champion champion = run.champion();
    Map<String, Object> params =
        JSON_FOR_CARD.convertValue(best.get("params"), new TypeReference<LinkedHashMap<String, Object>>() {});
    Map<String, Double> trainMetrics =
        JSON_FOR_CARD.convertValue(best.get("metrics"), new TypeReference<LinkedHashMap<String, Double>>() {});
    String trial = best.get("trial").asText();
    String checkpoint = StoragePaths.fileName(best.get("checkpoint").asText());
    return new ModelCard(
        version,
        champion == null ? 1 : champion.card().number() + 1,
        champion == null ? null : champion.version(),
        run.id(),
        now,
        run.slice().pattern(),
        run.slice().files(),
        run.layout().data(),
        params,
        best.get("seed").asLong(),
        trial,
        checkpoint,
        run.warmStart().checkpointFor(params),
        score,
        trainMetrics);
  }
}
