package io.beamtrain.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamtrain flink-setup}'s parts: the lib/ jar and the configuration lines. */
class FlinkSetupTest {
  @TempDir Path tmp;

  @Test
  void theLibJarHoldsExactlyTheParentFirstPackages() throws IOException {
    Path source = tmp.resolve("beamtrain-flink.jar");
    try (OutputStream file = Files.newOutputStream(source); JarOutputStream jar = new JarOutputStream(file)) {
      for (String name : List.of("org/tensorflow/Graph.class", "org/tensorflow/internal/c_api/linux-x86_64/libtensorflow_cc.so.2",
          "org/bytedeco/javacpp/Loader.class", "com/google/protobuf/Message.class", "com/google/common/base/Strings.class",
          "io/beamtrain/pipelines/Main.class", "org/apache/beam/sdk/Pipeline.class")) {
        jar.putNextEntry(new JarEntry(name));
        jar.write(name.getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    }
    Path target = tmp.resolve("lib").resolve(FlinkSetup.LIB_JAR);
    Files.createDirectories(target.getParent());
    assertEquals(4, FlinkSetup.writeLibJar(source, target));
    try (JarFile lib = new JarFile(target.toFile())) {
      List<String> names = Collections.list(lib.entries()).stream().map(JarEntry::getName)
          .filter(n -> !n.startsWith("META-INF/")).sorted().toList();
      assertEquals(List.of("com/google/protobuf/Message.class", "org/bytedeco/javacpp/Loader.class",
          "org/tensorflow/Graph.class", "org/tensorflow/internal/c_api/linux-x86_64/libtensorflow_cc.so.2"), names);
    }
    try (java.util.stream.Stream<Path> files = Files.list(target.getParent())) {
      assertEquals(List.of(FlinkSetup.LIB_JAR), files.map(p -> p.getFileName().toString()).toList(),
          "no temporary file left");
    }
  }

  @Test
  void settingsReplaceTheirKeysAndKeepOtherLines() throws IOException {
    Path config = tmp.resolve("conf/config.yaml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "taskmanager.numberOfTaskSlots: 4\n"
        + "classloader.parent-first-patterns.additional: com.example.\n");
    FlinkSetup.writeSettings(config, FlinkSetup.SETTINGS);
    FlinkSetup.writeSettings(config, FlinkSetup.SETTINGS);
    List<String> lines = Files.readAllLines(config);
    assertEquals("taskmanager.numberOfTaskSlots: 4", lines.get(0));
    assertEquals("classloader.parent-first-patterns.additional: org.tensorflow.;org.bytedeco.;com.google.protobuf.",
        lines.get(1));
    for (Map.Entry<String, String> setting : FlinkSetup.SETTINGS.entrySet()) {
      assertEquals(1, lines.stream().filter(l -> l.equals(setting.getKey() + ": " + setting.getValue())).count(),
          setting + " once in " + lines);
    }
  }

  @Test
  void theLegacyConfigFileIsUsedOnlyWithoutConfigYaml() throws IOException {
    Files.createDirectories(tmp.resolve("conf"));
    assertEquals(tmp.resolve("conf/config.yaml"), FlinkSetup.configFile(tmp));
    Files.writeString(tmp.resolve("conf/flink-conf.yaml"), "");
    assertEquals(tmp.resolve("conf/flink-conf.yaml"), FlinkSetup.configFile(tmp));
    Files.writeString(tmp.resolve("conf/config.yaml"), "");
    assertEquals(tmp.resolve("conf/config.yaml"), FlinkSetup.configFile(tmp));
  }

  @Test
  void aMissingFlinkHomeIsAUsageErrorNamingTheFlag() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run("flink-setup", "--flinkHome=" + tmp.resolve("nope"));
    assertEquals(2, status);
    String message = err.toString(StandardCharsets.UTF_8).trim();
    assertTrue(message.startsWith("beamtrain flink-setup: --flinkHome=") && message.endsWith("no such directory"),
        message);
    assertEquals(1, message.lines().count(), message);
  }

}
