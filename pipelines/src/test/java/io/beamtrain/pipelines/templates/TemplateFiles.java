package io.beamtrain.pipelines.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The files under {@code templates/} at the repository root, as the tests read them. */
final class TemplateFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private TemplateFiles() {}

  /** {@code templates/}, found from the module directory Maven runs tests in (or the root). */
  static Path root() {
    for (Path candidate : new Path[] {Path.of("..", "templates"), Path.of("templates")}) {
      if (Files.isRegularFile(candidate.resolve("templates.properties"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("templates/templates.properties not found from " + Path.of("").toAbsolutePath());
  }

  /** Template name -> main class name, in file order. */
  static Map<String, String> mainClasses() throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(root().resolve("templates.properties"))) {
      properties.load(reader);
    }
    Map<String, String> out = new LinkedHashMap<>();
    properties.stringPropertyNames().stream().sorted().forEach(n -> out.put(n, properties.getProperty(n)));
    return out;
  }

  static JsonNode json(Path path) throws IOException {
    return JSON.readTree(Files.readString(path));
  }

  static JsonNode metadata(String template) throws IOException {
    return json(root().resolve("metadata").resolve(template + ".json"));
  }
}
