package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.InvalidSavedModelException;
import io.beamtrain.checkpointing.SavedModels;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.storage.VersionedBytes;
import io.beamtrain.trainer.BadInputException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.tensorflow.SavedModelBundle;

/**
 * A model registry on local disk or gs://:
 *
 * <pre>
 * &lt;models&gt;/LATEST                       the champion's version id (one line)
 * &lt;models&gt;/&lt;version&gt;/                  model.meta, model.ckpt-&lt;step&gt;.*, checkpoint, saved_model/,
 *                                      best.json, transform.json, model_card.json (written last)
 * &lt;models&gt;/runs/&lt;run&gt;/                data/, trials/, results.jsonl, best/ of one retrain run,
 *                                      and run.json, its decision (written last)
 * </pre>
 *
 * LATEST only ever moves by {@link Storage#compareAndSet} from the generation read when the run
 * started, so of two concurrent retrains from the same champion at most one can promote. A
 * version directory is complete before LATEST can name it. Stateless apart from its root and
 * storage config; thread-safe.
 */
public final class ModelRegistry implements Serializable {
  public static final String LATEST = "LATEST";
  public static final String RUNS = "runs";
  public static final String SAVED_MODEL = "saved_model";
  public static final String TRANSFORM_JSON = "transform.json";
  private static final Pattern VERSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final String root;
  private final StorageConfig config;

  public ModelRegistry(String root, StorageConfig config) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("--models must name the registry directory");
    }
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.config = config;
  }

  public String root() {
    return root;
  }

  public String latestPath() {
    return StoragePaths.join(root, LATEST);
  }

  public String versionDir(String version) {
    return StoragePaths.join(root, version);
  }

  public String runDir(String run) {
    return StoragePaths.join(root, RUNS, run);
  }

  public String runRecordPath(String run) {
    return StoragePaths.join(runDir(run), RunRecord.FILE_NAME);
  }

  private Storage storage() {
    return Storages.forPath(root, config);
  }

  /**
   * The champion LATEST names, or empty when there is no LATEST yet. A LATEST that is empty,
   * names no valid version id, or names a version without a parseable model card, checkpoint or
   * SavedModel (one that loads: {@link SavedModels#load}) is a {@link BadInputException} naming
   * the file: a registry in that state needs a
   * person, not a new model on top.
   */
  public Optional<Champion> champion() {
    Optional<VersionedBytes> latest = storage().readVersioned(latestPath());
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    String version = new String(latest.get().data(), StandardCharsets.UTF_8).trim();
    if (!VERSION_ID.matcher(version).matches()) {
      throw new BadInputException(latestPath() + ": does not name a version (was '" + version + "')");
    }
    String dir = versionDir(version);
    String cardPath = StoragePaths.join(dir, ModelCard.FILE_NAME);
    byte[] cardBytes;
    try {
      cardBytes = storage().readBytes(cardPath);
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        throw new BadInputException(latestPath() + " names version " + version + ", but "
            + cardPath + " does not exist", e);
      }
      throw e;
    }
    ModelCard card = ModelCard.fromJson(new String(cardBytes, StandardCharsets.UTF_8), cardPath);
    if (!card.version().equals(version)) {
      throw new BadInputException(cardPath + ": field 'version' is " + card.version()
          + ", but the card is in the directory of version " + version);
    }
    Champion champion = new Champion(card, dir, latest.get().generation());
    String index = champion.checkpointPrefix() + ".index";
    if (!storage().exists(index)) {
      throw new BadInputException(cardPath + ": checkpoint " + champion.checkpointPrefix()
          + " not found (no " + index + ")");
    }
    if (!storage().exists(champion.transformJson())) {
      throw new BadInputException(latestPath() + " names version " + version + ", but "
          + champion.transformJson() + " does not exist");
    }
    String savedModel = StoragePaths.join(champion.savedModel(), "saved_model.pb");
    if (!storage().exists(savedModel)) {
      throw new BadInputException(latestPath() + " names version " + version + ", but "
          + savedModel + " does not exist");
    }
    checkSavedModelLoads(champion);
    return Optional.of(champion);
  }

  /**
   * Loads the champion's SavedModel once, so a damaged one (garbage saved_model.pb, truncated
   * variables) fails the run at launch, naming the file, rather than after training the
   * challengers, when it is scored.
   */
  private void checkSavedModelLoads(Champion champion) {
    try (SavedModelBundle loaded = SavedModels.load(champion.savedModel(), config, SavedModels.SERVE_TAG)) {
      // It loads, so its variables restore; ModelEvaluator loads it again to score it.
    } catch (InvalidSavedModelException e) {
      throw new BadInputException(latestPath() + " names version " + champion.version()
          + ", whose SavedModel " + champion.savedModel() + " does not load: " + e.getMessage(), e);
    }
  }

  /**
   * The ids of the runs that finished (wrote their run.json), in id order: the earlier studies a
   * nightly retrain warm-starts its search from.
   */
  public List<String> finishedRuns() {
    String prefix = StoragePaths.asPrefix(StoragePaths.join(root, RUNS));
    SortedSet<String> runs = new TreeSet<>();
    for (StorageObject object : storage().list(prefix)) {
      String rest = object.path().substring(object.path().indexOf(prefix) + prefix.length());
      int slash = rest.indexOf('/');
      if (slash > 0 && rest.substring(slash + 1).equals(RunRecord.FILE_NAME)) {
        runs.add(rest.substring(0, slash));
      }
    }
    return List.copyOf(runs);
  }

  /** The decision of run {@code run}, if it finished. */
  public Optional<RunRecord> runRecord(String run) {
    String path = runRecordPath(run);
    return storage().readVersioned(path)
        .map(v -> RunRecord.fromJson(new String(v.data(), StandardCharsets.UTF_8), path));
  }

  public void writeRunRecord(RunRecord record) {
    String path = runRecordPath(record.run());
    storage().writeBytes(path, record.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Copies an exported model ({@code best/} of a run) and the transform.json it was trained with
   * to {@code <models>/<version>/} and writes its card last, so a card means a complete version.
   */
  public void publish(String sourceDir, String transformJson, ModelCard card) {
    Storage storage = storage();
    storage.writeBytes(StoragePaths.join(versionDir(card.version()), TRANSFORM_JSON),
        storage.readBytes(transformJson));
    String source = StoragePaths.asPrefix(sourceDir);
    String target = versionDir(card.version());
    for (StorageObject object : storage.list(source)) {
      String relative = object.path().substring(source.length());
      storage.writeBytes(StoragePaths.join(target, relative), storage.readBytes(object.path()));
    }
    storage.writeBytes(StoragePaths.join(target, ModelCard.FILE_NAME),
        card.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Points LATEST at {@code version} if it is still at {@code expectedGeneration} ({@link
   * StorageObject#NO_GENERATION}: if there is no LATEST yet). False when another writer moved it.
   */
  public boolean advanceLatest(long expectedGeneration, String version) {
    return storage().compareAndSet(
        latestPath(), (version + "\n").getBytes(StandardCharsets.UTF_8), expectedGeneration);
  }
}
