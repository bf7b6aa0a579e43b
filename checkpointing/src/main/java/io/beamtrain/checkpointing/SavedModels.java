package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TFOutOfRangeException;
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
 *
 * <p>{@link #load} loads one back and says which file is at fault when TensorFlow cannot.
 */
public final class SavedModels {
  public static final String SERVE_TAG = SavedModelBundle.DEFAULT_TAG;
  public static final String SAVED_MODEL_FILE = "saved_model.pb";

  private static final String VARIABLES_DATA_PREFIX = "variables.data-";

  private SavedModels() {}

  /**
   * Loads the SavedModel in the local directory {@code dir} with {@code tag}, variables restored
   * (TensorFlow's loader runs the restore op, so a truncated or corrupt variables file fails here,
   * not at the first prediction).
   *
   * @throws UnreadableSavedModelException naming the file TensorFlow could not read: TensorFlow
   *     names {@code saved_model.pb} when it cannot parse it, but not the variables shard it read
   *     too few bytes from, so that one is inferred
   */
  public static SavedModelBundle load(Path dir, String tag) {
    try {
      return SavedModelBundle.loader(dir.toString()).withTags(tag).load();
    } catch (TensorFlowException e) {
      String reason = oneLine(e.getMessage());
      throw new UnreadableSavedModelException(dir.toString(), fileAtFault(dir, e, reason), reason, e);
    }
  }

  private static String fileAtFault(Path dir, TensorFlowException e, String reason) {
    Matcher named = Pattern.compile(Pattern.quote(dir.toString()) + "/([^\\s:;,'\"]+)").matcher(reason);
    // Only a file that exists: TensorFlow also names the bundle prefix variables/variables.
    if (named.find() && Files.isRegularFile(dir.resolve(named.group(1)))) {
      return named.group(1);
    }
    try {
      SavedModel.parseFrom(Files.readAllBytes(dir.resolve(SAVED_MODEL_FILE)));
    } catch (IOException unparsable) {
      return SAVED_MODEL_FILE;
    }
    // The graph parsed, so a short read ("Read less bytes than requested") is of variable data.
    // Bytes changed in place fail TensorFlow's checksum of the tensor it restores ("Data loss").
    String lower = reason.toLowerCase(Locale.ROOT);
    if (e instanceof TFOutOfRangeException || lower.contains("data loss") || lower.contains("checksum")) {
      return variablesData(dir);
    }
    return null;
  }

  /** The variables data shard(s), e.g. {@code variables/variables.data-00000-of-00001}. */
  private static String variablesData(Path dir) {
    Path variables = dir.resolve("variables");
    try (Stream<Path> files = Files.list(variables)) {
      List<String> shards = files.map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith(VARIABLES_DATA_PREFIX)).sorted().map(name -> "variables/" + name).toList();
      return shards.isEmpty() ? "variables/" : String.join(", ", shards);
    } catch (IOException listing) {
      return "variables/";
    }
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }

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
