package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.ConditionalSpace;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.ParameterType;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.WarmStartSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.data.TransformSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the trials of earlier sweeps for a study's warm start ({@link WarmStartSpec}). A source
 * that is not a sweep's output (no study.json, or no results) is refused, exit 2 naming {@code
 * warmStart.from[i]}: a mistyped directory must not silently run a blind search. A source that is
 * a sweep of another problem gives no trials and a warning line naming it and the reason: another
 * label or task than this study's data (when the data is in place to compare), another metric
 * (the values would rank trials by something else), or no trial inside this study's space. Of the
 * others, a trial is taken when every parameter of this study active under its values has a value
 * this study could propose and it agrees with this study's {@code fixed} values; it is renamed
 * {@code warm<i>/<trial>} (never one of this study's ids) and keeps only this study's searched
 * parameters. Stateless.
 */
public final class EarlierStudies {
  private static final Logger LOG = LoggerFactory.getLogger(EarlierStudies.class);

  private EarlierStudies() {}

  /** The study with its warm start resolved ({@code taken} filled in), and the trials taken. */
  public record Loaded(StudySpec study, List<TrialResult> results) {
    public Loaded {
      results = List.copyOf(results);
    }
  }

  /**
   * Resolves {@code study}'s warm start (a study without one comes back as it is).
   *
   * @param label this study's label, null when its data is not written yet (no label check)
   * @param strict whether a source that is not a sweep's output is refused (a user's {@code from})
   *     or only warned about (retrain's registry runs)
   */
  public static Loaded load(StudySpec study, TransformSpec.LabelSpec label, StorageConfig storage, boolean strict) {
    WarmStartSpec warm = study.warmStart();
    if (warm == null) {
      return new Loaded(study, List.of());
    }
    List<TrialResult> taken = new ArrayList<>();
    List<WarmStartSpec.Source> sources = new ArrayList<>();
    for (int i = 0; i < warm.from().size(); i++) {
      String dir = warm.from().get(i);
      OutputLayout layout = new OutputLayout(dir);
      Optional<String> studyJson = read(layout.studyJson(), storage);
      List<TrialResult> results = studyJson.isPresent() ? ResultsFiles.read(layout, storage) : List.of();
      if (studyJson.isEmpty() || results.isEmpty()) {
        String why = dir + " is not the output of a sweep (" + (studyJson.isEmpty() ? "no study.json" : "no results") + ")";
        if (strict) {
          throw new InvalidStudyException("warmStart.from[" + i + "]", why);
        }
        sources.add(skip(dir, 0, why));
        continue;
      }
      StudySpec earlier;
      try {
        earlier = StudySpecParser.parse(studyJson.get(), layout.studyJson());
      } catch (InvalidStudyException e) {
        sources.add(skip(dir, results.size(), "its study.json does not parse: " + e.getMessage()));
        continue;
      }
      String mismatch = mismatch(study, earlier, label, layout, storage);
      if (mismatch != null) {
        sources.add(skip(dir, results.size(), mismatch));
        continue;
      }
      int before = taken.size();
      for (TrialResult r : results) {
        inSpace(study, r.params()).ifPresent(params -> taken.add(renamed(r, "warm" + sources.size() + "/" + r.trial(), params)));
      }
      int count = taken.size() - before;
      int skipped = results.size() - count;
      if (count == 0) {
        sources.add(skip(dir, skipped, "none of its " + results.size() + " trials lies in this study's space"));
        continue;
      }
      String note = skipped == 0 ? "" : skipped + " trials outside this study's space or fixed values";
      sources.add(new WarmStartSpec.Source(dir, count, skipped, note));
    }
    return new Loaded(study.withWarmStart(warm.resolved(sources)), taken);
  }

  private static WarmStartSpec.Source skip(String dir, int skipped, String why) {
    LOG.warn("warm start: {}: no trials taken: {}", dir, why);
    return new WarmStartSpec.Source(dir, 0, skipped, why);
  }

  /** Why the earlier study optimised another problem, or null when it did the same. */
  private static String mismatch(
      StudySpec study, StudySpec earlier, TransformSpec.LabelSpec label, OutputLayout layout, StorageConfig storage) {
    if (!earlier.objectives().metrics().equals(study.objectives().metrics())) {
      return "it optimised " + describe(earlier) + ", this study " + describe(study);
    }
    if (label == null) {
      return null;
    }
    Optional<String> transform = read(layout.transformJson(), storage);
    if (transform.isEmpty()) {
      return "no " + layout.transformJson() + " to check its label against this study's data";
    }
    TransformSpec.LabelSpec theirs = TransformSpec.fromJson(transform.get(), layout.transformJson()).label();
    if (!theirs.name().equals(label.name()) || theirs.task() != label.task()) {
      return "it trained label '" + theirs.name() + "' (" + theirs.task() + "), this study's data has '"
          + label.name() + "' (" + label.task() + ")";
    }
    return null;
  }

  private static String describe(StudySpec study) {
    return study.objectives().metrics().stream().map(o -> o.metric() + " (" + o.goal() + ")")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * The trial's values of this study's searched parameters, if every active one is there with a
   * value this study could propose and the trial agrees with this study's fixed values.
   */
  static Optional<SortedMap<String, Object>> inSpace(StudySpec study, Map<String, Object> params) {
    for (Map.Entry<String, Object> fixed : study.fixed().entrySet()) {
      Object theirs = params.get(fixed.getKey());
      if (theirs != null && !ConditionalSpace.sameValue(theirs, fixed.getValue())) {
        return Optional.empty();
      }
    }
    SortedMap<String, Object> values = new TreeMap<>();
    ConditionalSpace space = ConditionalSpace.of(study.parameters());
    for (ParameterSpec p : space.order()) {
      if (!ConditionalSpace.isActive(p, values)) {
        continue;
      }
      Object value = params.get(p.name());
      Object own = value == null ? null : ownValue(p, value);
      if (own == null) {
        return Optional.empty();
      }
      values.put(p.name(), own);
    }
    return Optional.of(values);
  }

  /** {@code value} as this study's own value of {@code p} (a list entry, an int, a double), or null outside it. */
  private static Object ownValue(ParameterSpec p, Object value) {
    if (p.type() == ParameterType.DISCRETE || p.type() == ParameterType.CATEGORICAL) {
      return p.values().stream().filter(v -> ConditionalSpace.sameValue(v, value)).findFirst().orElse(null);
    }
    if (!(value instanceof Number n) || n.doubleValue() < p.min() || n.doubleValue() > p.max()) {
      return null;
    }
    if (p.type() == ParameterType.INTEGER) {
      return n.doubleValue() == Math.rint(n.doubleValue()) ? (Object) (int) n.doubleValue() : null;
    }
    return n.doubleValue();
  }

  private static TrialResult renamed(TrialResult r, String id, Map<String, Object> params) {
    return new TrialResult(id, r.status(), r.steps(), r.bestStep(), r.metrics(), r.history(), params, r.seed(),
        r.error(), r.reason(), r.elapsedSeconds(), r.lineage());
  }

  private static Optional<String> read(String path, StorageConfig config) {
    return Storages.forPath(path, config).readIfExists(path)
        .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
  }
}
