package io.beamtrain.pipelines.flink;

import io.beamtrain.pipelines.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamtrain flink-setup --flinkHome=<dir>}: prepares a Flink session cluster's
 * installation for beamtrain jobs, one job after another.
 *
 * <p>A TaskManager process can hold one TensorFlow (see the trainer's {@code NativeTensorFlow}),
 * but Flink gives every job a class loader of its own. So TensorFlow must be loaded once, by the
 * TaskManager's own class loader: this writes {@value #LIB_JAR} to {@code <flinkHome>/lib/},
 * holding exactly the classes of the running beamtrain jar that {@link #PARENT_FIRST} names
 * (TensorFlow, JavaCPP with TensorFlow's native libraries, protobuf), and sets in the Flink
 * configuration that those come from the parent class loader even though the job jar has them
 * too, plus the network memory beamtrain's pipelines need ({@link #SETTINGS}). Every value is
 * replaced if the file has the key, appended if not; other lines are kept. Run it on every
 * Flink host and restart the cluster.
 */
public final class FlinkSetup {
  /** The jar written to {@code lib/}. */
  public static final String LIB_JAR = "beamtrain-tensorflow.jar";
  /** Packages loaded parent-first: TensorFlow, JavaCPP (its native loader), and the protobuf TensorFlow's Java protos use. */
  public static final List<String> PARENT_FIRST = List.of("org.tensorflow.", "org.bytedeco.", "com.google.protobuf.");
  /** The configuration this writes, in order. */
  public static final Map<String, String> SETTINGS = settings();

  /** Flags of {@code flink-setup}. */
  public interface Options extends PipelineOptions {
    @Description("The Flink installation to prepare (the directory holding lib/ and conf/), on every "
        + "JobManager and TaskManager host; restart the cluster afterwards.")
    @Validation.Required
    String getFlinkHome();

    void setFlinkHome(String flinkHome);
  }

  private FlinkSetup() {}

  private static Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("classloader.parent-first-patterns.additional", String.join(";", PARENT_FIRST));
    // train shuffles preprocessing, trials and results in one job: with the default 64 MiB a
    // TaskManager runs out of buffers ("Insufficient number of network buffers").
    settings.put("taskmanager.memory.network.min", "256mb");
    settings.put("taskmanager.memory.network.max", "256mb");
    return settings;
  }

  /** Runs the command; returns its summary line. */
  public static String run(Options options) throws IOException {
    Path home = Path.of(options.getFlinkHome());
    if (!Files.isDirectory(home)) {
      throw new UsageException("--flinkHome=" + options.getFlinkHome() + ": no such directory");
    }
    Path lib = home.resolve("lib");
    Files.createDirectories(lib);
    Path jar = lib.resolve(LIB_JAR);
    int classes = writeLibJar(runningJar(), jar);
    Path config = configFile(home);
    writeSettings(config, SETTINGS);
    return "flink-setup: wrote " + jar + " (" + classes + " files) and " + SETTINGS.size() + " settings to "
        + config + "; restart the JobManager and TaskManagers";
  }

  /** The jar this class runs from: the beamtrain jar whose TensorFlow the jobs will use. */
  static Path runningJar() {
    try {
      Path source = Path.of(FlinkSetup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(source)) {
        throw new UsageException("flink-setup copies TensorFlow out of the beamtrain jar; run it with "
            + "./beamtrain flink-setup --runner=FlinkRunner, not from classes (" + source + ")");
      }
      return source;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the beamtrain jar", e);
    }
  }

  /**
   * Copies every entry of {@code sourceJar} under a {@link #PARENT_FIRST} package to a new jar
   * {@code target} (written aside and moved into place); returns the number of files copied.
   */
  static int writeLibJar(Path sourceJar, Path target) throws IOException {
    List<String> prefixes = PARENT_FIRST.stream().map(p -> p.replace('.', '/')).toList();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "beamtrain flink-setup");
    Path temp = Files.createTempFile(target.getParent(), ".beamtrain-tensorflow", ".jar.tmp");
    int copied = 0;
    try (JarFile source = new JarFile(sourceJar.toFile());
        OutputStream file = Files.newOutputStream(temp);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      for (Enumeration<JarEntry> entries = source.entries(); entries.hasMoreElements(); ) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        if (prefixes.stream().noneMatch(name::startsWith)) {
          continue;
        }
        out.putNextEntry(new JarEntry(name));
        if (!entry.isDirectory()) {
          try (InputStream in = source.getInputStream(entry)) {
            in.transferTo(out);
          }
          copied++;
        }
        out.closeEntry();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    if (copied == 0) {
      Files.deleteIfExists(temp);
      throw new IllegalStateException(sourceJar + " holds no TensorFlow classes");
    }
    readableByAll(temp);
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return copied;
  }

  /**
   * The configuration file a Flink 1.19 JobManager and TaskManager read: {@code conf/config.yaml}
   * or, where only it exists, the legacy {@code conf/flink-conf.yaml}; a new config.yaml if neither.
   */
  static Path configFile(Path home) {
    Path conf = home.resolve("conf");
    Path legacy = conf.resolve("flink-conf.yaml");
    Path current = conf.resolve("config.yaml");
    return Files.exists(legacy) && !Files.exists(current) ? legacy : current;
  }

  /**
   * Sets each of {@code settings} in {@code config} as a flat {@code key: value} line (both of
   * Flink's file formats read those): an existing line of the key is replaced, others appended.
   */
  static void writeSettings(Path config, Map<String, String> settings) throws IOException {
    List<String> lines = Files.exists(config)
        ? new ArrayList<>(Files.readAllLines(config, StandardCharsets.UTF_8))
        : new ArrayList<>();
    Map<String, String> missing = new LinkedHashMap<>(settings);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      for (Map.Entry<String, String> setting : settings.entrySet()) {
        if (line.startsWith(setting.getKey() + ":")) {
          lines.set(i, setting.getKey() + ": " + setting.getValue());
          missing.remove(setting.getKey());
        }
      }
    }
    if (!missing.isEmpty()) {
      lines.add("# beamtrain flink-setup: TensorFlow from lib/, once per TaskManager; network memory for train");
      missing.forEach((key, value) -> lines.add(key + ": " + value));
    }
    Files.createDirectories(config.getParent());
    Path temp = Files.createTempFile(config.getParent(), ".config", ".yaml.tmp");
    Files.write(temp, lines, StandardCharsets.UTF_8);
    readableByAll(temp);
    Files.move(temp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A temp file is created owner-only; Flink may run as another user than the one who set it up. */
  private static void readableByAll(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
