package io.beamtrain.checkpointing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Exports a session's graph and variables as a SavedModel ({@code saved_model.pb} + {@code
 * variables/}, tag {@value #SERVE_TAG}) to a local or {@code gs://} directory.
 *
 * <p>TensorFlow Java's {@link SavedModelBundle#exporter} writes it into a local staging directory
 * (TensorFlow's own file system cannot reach our GCS endpoints); the files are then copied to the
 * target through {@code Storage}, {@code saved_model.pb} last, so a reader that finds it finds
 * the variables too. The exporter saves variables with the graph's {@code save/} saver; if the
 * graph has variables but no saver yet, a {@link SaverGraph} is built first (it also covers
 * resource variables, which TF Java's own saver skips).
 */
public final class SavedModels {
  public static final String SERVE_TAG = SavedModelBundle.DEFAULT_TAG;
  public static final String SAVED_MODEL_FILE = "saved_model.pb";
  private static final String VARIABLES = "variables";

  private SavedModels() {}

  /**
   * Exports with signatures given as protos; each tensor name must exist in {@code graph}.
   *
   * @throws IllegalArgumentException naming the signature and tensor that is not in the graph
   */
  public static void export(
      Session session,
      Graph graph,
      Map<String, SignatureDef> signatures,
      String targetPath,
      StorageConfig config) {
    if (session.graph() != graph) {
      throw new IllegalArgumentException("the session runs a different graph than the one given");
    }
    List<Signature> converted = new ArrayList<>();
    signatures.forEach((key, def) -> converted.add(toSignature(graph, key, def)));
    export(session, converted, targetPath, config);
  }

  /** Exports with TF Java {@link Signature}s (built on outputs of the session's graph). */
  public static void export(
      Session session, List<Signature> signatures, String targetPath, StorageConfig config) {
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("a SavedModel needs at least one signature; none given for " + targetPath);
    }
    ensureSaver(session.graph());
    Path staging = LocalCopy.createTempDirectory(
        Paths.get(System.getProperty("java.io.tmpdir")), "beamtrain-savedmodel-");
    try {
      SavedModelBundle.exporter(staging.toString())
          .withTags(SERVE_TAG)
          .withSession(session)
          .withSignatures(signatures.toArray(new Signature[0]))
          .export();
      copyTree(staging, targetPath, Storages.forPath(targetPath, config));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export SavedModel for " + targetPath, e);
    } finally {
      LocalCopy.deleteRecursively(staging);
    }
  }

  /**
   * Loads the SavedModel at {@code dir} (local, or {@code gs://}: downloaded into a temporary
   * directory, deleted once loaded -- the variables then live in the session) with {@code tags}.
   * Close the bundle.
   *
   * @throws InvalidSavedModelException naming the file under {@code dir}: no {@code
   *     saved_model.pb}, one that does not parse or has no meta graph with {@code tags}, or
   *     variables TensorFlow cannot restore (its own message names no file)
   */
  public static SavedModelBundle load(String dir, StorageConfig config, String... tags) {
    Path downloaded = StoragePaths.isGcs(dir) ? copyToLocal(dir, config) : null;
    Path local = downloaded != null ? downloaded : Paths.get(dir);
    try {
      checkModelFile(local, dir, tags);
      try {
        return SavedModelBundle.loader(local.toString()).withTags(tags).load();
      } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
        // saved_model.pb parsed, so what TensorFlow could not read is the variables.
        // TensorFlow names the local copy of a gs:// model: name the model as the caller gave it.
        String message = e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getMessage().strip().replace(local.toString(), dir);
        throw new InvalidSavedModelException(
            String.join(", ", damagedVariableFiles(local, dir, message)),
            "cannot restore the SavedModel's variables: " + message.lines().findFirst().orElse(message), e);
      }
    } finally {
      if (downloaded != null) {
        LocalCopy.deleteRecursively(downloaded);
      }
    }
  }

  private static void checkModelFile(Path local, String dir, String[] tags) {
    String file = StoragePaths.join(dir, SAVED_MODEL_FILE);
    SavedModel model;
    try {
      model = SavedModel.parseFrom(Files.readAllBytes(local.resolve(SAVED_MODEL_FILE)));
    } catch (NoSuchFileException e) {
      throw new InvalidSavedModelException(file, "does not exist, so " + dir + " is not a SavedModel", e);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidSavedModelException(file, "not a SavedModel proto (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<String> wanted = List.of(tags);
    List<List<String>> present =
        model.getMetaGraphsList().stream().map(m -> List.copyOf(m.getMetaInfoDef().getTagsList())).toList();
    if (present.stream().noneMatch(t -> t.containsAll(wanted))) {
      throw new InvalidSavedModelException(
          file, "has no meta graph tagged " + wanted + " (its meta graphs' tags: " + present + ")", null);
    }
  }

  /**
   * The files of {@code variables/} that TensorFlow's {@code message} points at, as paths under
   * {@code dir}: a short read or a checksum mismatch is of the data shards, a bad table of the
   * index; otherwise all of them (TensorFlow names only the bundle prefix).
   */
  private static List<String> damagedVariableFiles(Path local, String dir, String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    String only =
        lower.contains("read less bytes") || lower.contains("checksum") || lower.contains("data loss")
            ? "variables.data-"
            : lower.contains("sstable") || lower.contains("magic number") ? "variables.index" : "";
    try (Stream<Path> files = Files.list(local.resolve(VARIABLES))) {
      List<String> names = files.map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith(only))
          .map(name -> StoragePaths.join(dir, VARIABLES + "/" + name))
          .sorted()
          .toList();
      return names.isEmpty() ? List.of(StoragePaths.join(dir, VARIABLES)) : names;
    } catch (IOException e) {
      return List.of(StoragePaths.join(dir, VARIABLES));
    }
  }

  /**
   * Copies the SavedModel under the {@code gs://} prefix {@code dir} into a new local temporary
   * directory (the caller deletes it).
   *
   * @throws InvalidSavedModelException when there is no object under the prefix
   */
  public static Path copyToLocal(String dir, StorageConfig config) {
    String prefix = StoragePaths.asPrefix(dir);
    Storage storage = Storages.forPath(prefix, config);
    List<StorageObject> objects = storage.list(prefix);
    if (objects.isEmpty()) {
      throw new InvalidSavedModelException(dir, "no objects under this prefix, not a SavedModel", null);
    }
    Path local = LocalCopy.createTempDirectory(
        Paths.get(System.getProperty("java.io.tmpdir")), "beamtrain-saved-model-");
    try {
      for (StorageObject object : objects) {
        storage.download(object.path(), local.resolve(object.path().substring(prefix.length())));
      }
      return local;
    } catch (RuntimeException e) {
      LocalCopy.deleteRecursively(local);
      throw e;
    }
  }

  private static void ensureSaver(Graph graph) {
    if (graph.operation("save/restore_all") != null) {
      return;
    }
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      if (SaverGraph.SavedVariable.isVariable(it.next())) {
        SaverGraph.build(graph);
        return;
      }
    }
  }

  private static void copyTree(Path staging, String target, Storage storage) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(staging)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    Path modelFile = staging.resolve(SAVED_MODEL_FILE);
    for (Path file : files) {
      if (!file.equals(modelFile)) {
        storage.upload(file, StoragePaths.join(target, staging.relativize(file).toString().replace('\\', '/')));
      }
    }
    storage.upload(modelFile, StoragePaths.join(target, SAVED_MODEL_FILE));
  }

  private static Signature toSignature(Graph graph, String key, SignatureDef def) {
    Signature.Builder builder = Signature.builder().key(key);
    if (!def.getMethodName().isEmpty()) {
      builder.methodName(def.getMethodName());
    }
    def.getInputsMap().forEach((name, info) -> builder.input(name, resolve(graph, key, "input", name, info)));
    def.getOutputsMap().forEach((name, info) -> builder.output(name, resolve(graph, key, "output", name, info)));
    return builder.build();
  }

  private static Output<?> resolve(Graph graph, String key, String role, String name, TensorInfo info) {
    if (info.getEncodingCase() != TensorInfo.EncodingCase.NAME) {
      throw new IllegalArgumentException(
          "signature '" + key + "' " + role + " '" + name + "': only dense tensors (TensorInfo.name) are supported");
    }
    Output<?> output = graph.output(info.getName());
    if (output == null) {
      throw new IllegalArgumentException(
          "signature '" + key + "' " + role + " '" + name + "' names tensor '" + info.getName()
              + "', which is not in the graph");
    }
    return output;
  }
}
