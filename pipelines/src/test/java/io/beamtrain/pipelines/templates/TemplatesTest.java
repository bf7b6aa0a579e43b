package io.beamtrain.pipelines.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.beans.Introspector;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;
import org.junit.jupiter.api.Test;

/**
 * Keeps templates/ from rotting: every template names a main class that exists and has an {@code
 * Options} interface; every metadata parameter is an option of that interface with the same
 * optionality, and every required option is a parameter; the regexes accept the examples the help
 * texts document and reject bad values; the launch bodies and the scheduler job are valid and name
 * only existing parameters; the Dockerfile and build script match the jar and the main classes.
 */
class TemplatesTest {
  private static final Pattern EXAMPLE = Pattern.compile("\\(e\\.g\\. ([^\\s)]+)\\)");
  /** Values each parameter's regexes must reject (besides "" and a value with a line break). */
  private static final Map<String, List<String>> BAD_VALUES = new HashMap<>();

  static {
    List<String> notGcs = List.of("/tmp/data/*.csv", "s3://bucket/data", "gs:/bucket/x", "gs://", "GS://b/x");
    for (String gcs : List.of("input", "output", "models", "model", "predictions", "study")) {
      BAD_VALUES.put(gcs, notGcs);
    }
    List<String> notPositive = List.of("0", "-3", "1.5", "ten", "1e3");
    BAD_VALUES.put("maxTrials", notPositive);
    BAD_VALUES.put("trainSteps", notPositive);
    BAD_VALUES.put("batchSize", notPositive);
    List<String> notCount = List.of("-1", "2.5", "two");
    BAD_VALUES.put("seed", notCount);
    BAD_VALUES.put("trialsPerWorker", notCount);
    BAD_VALUES.put("label", List.of("a,b"));
    BAD_VALUES.put("keyColumn", List.of("a,b"));
    BAD_VALUES.put("ignore", List.of(",", "a,,b", "a,"));
    BAD_VALUES.put("inputFormat", List.of("csv", "PARQUET"));
    BAD_VALUES.put("evalFraction", List.of("1", "1.0", "-0.1", "0.", ".2"));
    BAD_VALUES.put("maxRejectedFraction", List.of("1", "-0.1", "half"));
    BAD_VALUES.put("minImprovement", List.of("-0.01", "1%", "0.", "e-3"));
    BAD_VALUES.put("reuseChampionParams", List.of("yes", "TRUE", "1"));
    BAD_VALUES.put("deterministic", List.of("yes", "TRUE", "1"));
  }

  static Class<?> optionsOf(String mainClass) throws ClassNotFoundException {
    return Class.forName(mainClass + "$Options");
  }

  /** Option name -> its getter, over the whole interface hierarchy (as Beam sees it). */
  static Map<String, Method> getters(Class<?> options) {
    Map<String, Method> out = new HashMap<>();
    for (Method m : options.getMethods()) {
      String name = m.getName();
      if (m.getParameterCount() == 0 && name.startsWith("get") && name.length() > 3) {
        out.put(Introspector.decapitalize(name.substring(3)), m);
      } else if (m.getParameterCount() == 0 && name.startsWith("is") && name.length() > 2
          && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) {
        out.put(Introspector.decapitalize(name.substring(2)), m);
      }
    }
    return out;
  }

  static Map<String, JsonNode> parameters(JsonNode metadata) {
    Map<String, JsonNode> out = new HashMap<>();
    metadata.get("parameters").forEach(p -> out.put(p.get("name").asText(), p));
    return out;
  }

  @Test
  void everyTemplateHasAMainClassWithOptionsAndMetadata() throws Exception {
    Map<String, String> templates = TemplateFiles.mainClasses();
    assertEquals(Set.of("preprocess", "sweep", "predict", "retrain"), templates.keySet());
    for (Map.Entry<String, String> t : templates.entrySet()) {
      Method main = Class.forName(t.getValue()).getMethod("main", String[].class);
      assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()), t.getValue());
      Class<?> options = optionsOf(t.getValue());
      assertTrue(PipelineOptions.class.isAssignableFrom(options), options + " is not PipelineOptions");
      assertTrue(TemplateOptions.class.isAssignableFrom(options), options + " lacks --templateLaunch");
      JsonNode metadata = TemplateFiles.metadata(t.getKey());
      assertFalse(metadata.path("name").asText().isBlank(), t.getKey() + ": name");
      assertFalse(metadata.path("description").asText().isBlank(), t.getKey() + ": description");
      assertTrue(metadata.get("parameters").isArray() && metadata.get("parameters").size() > 0, t.getKey());
    }
    try (Stream<Path> files = Files.list(TemplateFiles.root().resolve("metadata"))) {
      assertEquals(templates.keySet().stream().map(n -> n + ".json").collect(java.util.stream.Collectors.toSet()),
          files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
          "metadata files without a template in templates.properties (or the reverse)");
    }
  }

  @Test
  void parametersAreOptionsWithTheSameNameAndOptionality() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> t : TemplateFiles.mainClasses().entrySet()) {
      Map<String, Method> getters = getters(optionsOf(t.getValue()));
      Map<String, JsonNode> parameters = parameters(TemplateFiles.metadata(t.getKey()));
      for (JsonNode p : parameters.values()) {
        String name = p.get("name").asText();
        for (String field : List.of("label", "helpText")) {
          if (p.path(field).asText().isBlank()) {
            problems.add(t.getKey() + "." + name + ": no " + field);
          }
        }
        if (!p.has("isOptional") || !p.get("isOptional").isBoolean()) {
          problems.add(t.getKey() + "." + name + ": isOptional must be true or false");
        }
        Method getter = getters.get(name);
        if (getter == null) {
          problems.add(t.getKey() + "." + name + ": no such option in " + optionsOf(t.getValue()).getName());
          continue;
        }
        boolean required = getter.isAnnotationPresent(Validation.Required.class);
        if (p.path("isOptional").asBoolean() == required) {
          problems.add(t.getKey() + "." + name + ": isOptional=" + p.path("isOptional").asBoolean()
              + " but the option is " + (required ? "required" : "optional"));
        }
      }
      for (Map.Entry<String, Method> g : getters.entrySet()) {
        // Beam's own required options (--runner, ...) have defaults the launcher fills in.
        boolean ours = g.getValue().getDeclaringClass().getName().startsWith("io.beamtrain.");
        if (ours && g.getValue().isAnnotationPresent(Validation.Required.class)
            && !parameters.containsKey(g.getKey())) {
          problems.add(t.getKey() + ": required option --" + g.getKey() + " is not a parameter");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void regexesAcceptTheDocumentedExamplesAndRejectBadValues() throws Exception {
    List<String> problems = new ArrayList<>();
    for (String template : TemplateFiles.mainClasses().keySet()) {
      for (JsonNode p : parameters(TemplateFiles.metadata(template)).values()) {
        String name = p.get("name").asText();
        if (!p.has("regexes")) {
          problems.add(template + "." + name + ": no regexes");
          continue;
        }
        List<Pattern> regexes = new ArrayList<>();
        p.get("regexes").forEach(r -> regexes.add(Pattern.compile(r.asText())));
        Matcher example = EXAMPLE.matcher(p.get("helpText").asText());
        if (!example.find()) {
          problems.add(template + "." + name + ": the help text documents no example \"(e.g. ...)\"");
        } else if (!regexes.stream().allMatch(r -> r.matcher(example.group(1)).matches())) {
          problems.add(template + "." + name + ": the documented example " + example.group(1) + " is rejected");
        }
        List<String> bad = new ArrayList<>(List.of("", "x\ny"));
        if (!BAD_VALUES.containsKey(name)) {
          problems.add(template + "." + name + ": no bad values to test its regexes with (add to BAD_VALUES)");
        } else {
          bad.addAll(BAD_VALUES.get(name));
        }
        for (String value : bad) {
          if (regexes.stream().allMatch(r -> r.matcher(value).matches())) {
            problems.add(template + "." + name + ": accepts the bad value '" + value + "'");
          }
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  /** Fields of {@code FlexTemplateRuntimeEnvironment} (Dataflow API v1b3) the bodies may use. */
  private static final Set<String> ENVIRONMENT = Set.of("numWorkers", "maxWorkers", "zone",
      "serviceAccountEmail", "tempLocation", "machineType", "additionalExperiments", "network",
      "subnetwork", "additionalUserLabels", "kmsKeyName", "ipConfiguration", "workerRegion",
      "workerZone", "enableStreamingEngine", "flexrsGoal", "stagingLocation", "sdkContainerImage",
      "diskSizeGb", "autoscalingAlgorithm", "dumpHeapOnOom", "saveHeapDumpsToGcsPath",
      "launcherMachineType", "enableLauncherVmSerialPortLogging", "streamingMode");

  /** Checks a {@code projects.locations.flexTemplates.launch} request body; returns problems. */
  static List<String> launchBodyProblems(String source, JsonNode body) throws Exception {
    List<String> problems = new ArrayList<>();
    Set<String> top = new TreeSet<>();
    body.fieldNames().forEachRemaining(top::add);
    if (!top.equals(Set.of("launchParameter")) && !top.equals(Set.of("launchParameter", "validateOnly"))) {
      problems.add(source + ": unexpected top-level fields " + top);
    }
    JsonNode launch = body.path("launchParameter");
    if (!launch.path("jobName").asText().matches("[a-z]([-a-z0-9]*[a-z0-9])?")) {
      problems.add(source + ": jobName must be lower-case letters, digits and dashes");
    }
    Matcher spec = Pattern.compile("gs://[^/]+/.*/([a-z]+)\\.json").matcher(launch.path("containerSpecGcsPath").asText());
    if (!spec.matches()) {
      problems.add(source + ": containerSpecGcsPath must be gs://.../<template>.json");
      return problems;
    }
    String template = spec.group(1);
    Map<String, String> mains = TemplateFiles.mainClasses();
    if (!mains.containsKey(template)) {
      problems.add(source + ": no template named " + template);
      return problems;
    }
    Map<String, JsonNode> parameters = parameters(TemplateFiles.metadata(template));
    launch.path("parameters").fields().forEachRemaining(e -> {
      JsonNode p = parameters.get(e.getKey());
      if (p == null) {
        problems.add(source + ": " + e.getKey() + " is not a parameter of " + template);
      } else if (!e.getValue().isTextual()) {
        problems.add(source + ": " + e.getKey() + " must be a string (Flex Template parameters are)");
      } else {
        p.path("regexes").forEach(r -> {
          if (!Pattern.compile(r.asText()).matcher(e.getValue().asText()).matches()) {
            problems.add(source + ": " + e.getKey() + "=" + e.getValue().asText() + " fails " + r.asText());
          }
        });
      }
    });
    parameters.values().stream()
        .filter(p -> !p.path("isOptional").asBoolean())
        .map(p -> p.get("name").asText())
        .filter(name -> !launch.path("parameters").has(name))
        .forEach(name -> problems.add(source + ": required parameter " + name + " is missing"));
    launch.path("environment").fieldNames().forEachRemaining(f -> {
      if (!ENVIRONMENT.contains(f)) {
        problems.add(source + ": environment." + f + " is not a FlexTemplateRuntimeEnvironment field");
      }
    });
    return problems;
  }

  @Test
  void launchBodiesAreValidAndNameExistingParameters() throws Exception {
    List<String> problems = new ArrayList<>();
    Set<String> launched = new TreeSet<>();
    try (Stream<Path> files = Files.list(TemplateFiles.root().resolve("launch"))) {
      for (Path file : files.sorted().toList()) {
        JsonNode body = TemplateFiles.json(file);
        problems.addAll(launchBodyProblems(file.toString(), body));
        launched.add(body.path("launchParameter").path("containerSpecGcsPath").asText()
            .replaceAll(".*/([a-z]+)\\.json$", "$1"));
      }
    }
    assertEquals(List.of(), problems);
    assertEquals(TemplateFiles.mainClasses().keySet(), launched, "a launch body per template");
  }

  @Test
  void launchBodyCheckCatchesAnUnknownParameterAndAMissingRequiredOne() throws Exception {
    JsonNode body = TemplateFiles.JSON.readTree("""
        {"launchParameter": {"jobName": "x", "containerSpecGcsPath": "gs://b/templates/retrain.json",
          "parameters": {"input": "gs://b/s/*.csv", "label": "species", "minImprovment": "0.1"}}}
        """);
    List<String> problems = launchBodyProblems("typo.json", body);
    assertTrue(problems.contains("typo.json: minImprovment is not a parameter of retrain"), problems.toString());
    assertTrue(problems.contains("typo.json: required parameter models is missing"), problems.toString());
  }

  @Test
  void schedulerJobLaunchesTheRetrainTemplateWithAnOAuthServiceAccount() throws Exception {
    JsonNode job = TemplateFiles.json(TemplateFiles.root().resolve("scheduler").resolve("retrain-nightly.json"));
    assertTrue(job.path("schedule").asText().matches("\\S+( \\S+){4}"), "cron with five fields");
    assertFalse(job.path("timeZone").asText().isBlank());
    JsonNode http = job.path("httpTarget");
    assertTrue(http.path("uri").asText().matches(
        "https://dataflow\\.googleapis\\.com/v1b3/projects/[^/]+/locations/[^/]+/flexTemplates:launch"),
        http.path("uri").asText());
    assertEquals("POST", http.path("httpMethod").asText());
    assertEquals("application/json", http.path("headers").path("Content-Type").asText());
    assertTrue(http.path("oauthToken").path("serviceAccountEmail").asText()
        .matches("[a-z0-9-]+@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com"));
    assertEquals("https://www.googleapis.com/auth/cloud-platform", http.path("oauthToken").path("scope").asText());
    JsonNode body = TemplateFiles.JSON.readTree(Base64.getDecoder().decode(http.path("body").asText()));
    assertEquals(List.of(), launchBodyProblems("scheduler body", body));
    assertEquals(TemplateFiles.json(TemplateFiles.root().resolve("launch").resolve("retrain.json")), body,
        "the scheduler job's body is launch/retrain.json, base64-encoded");
    String script = Files.readString(TemplateFiles.root().resolve("scheduler").resolve("create-retrain-job.sh"));
    assertTrue(script.contains("--oauth-service-account-email"), "gcloud job uses an OAuth service account");
    assertTrue(script.contains("launch/retrain.json"));
  }

  @Test
  void dockerfileAndBuildScriptMatchTheJarAndTheMainClasses() throws IOException {
    String docker = Files.readString(TemplateFiles.root().resolve("Dockerfile"));
    assertTrue(docker.lines().anyMatch(l -> l.startsWith(
        "FROM gcr.io/dataflow-templates-base/java17-template-launcher-base")), docker);
    assertTrue(docker.contains("ENV FLEX_TEMPLATE_JAVA_MAIN_CLASS=${MAIN_CLASS}"));
    Matcher classpath = Pattern.compile("ENV FLEX_TEMPLATE_JAVA_CLASSPATH=(\\S+)").matcher(docker);
    assertTrue(classpath.find());
    assertTrue(docker.contains("COPY ${JAR} " + classpath.group(1)), "the jar is copied to the classpath");
    Matcher jar = Pattern.compile("ARG JAR=pipelines/target/(\\S+)\\.jar").matcher(docker);
    assertTrue(jar.find());
    String pom = Files.readString(TemplateFiles.root().resolveSibling("pipelines").resolve("pom.xml"));
    assertTrue(pom.contains("<outputFile>${project.build.directory}/${beamtrain.jar.name}.jar</outputFile>"));
    String parentPom = Files.readString(TemplateFiles.root().resolveSibling("pom.xml"));
    assertTrue(pom.contains("<beamtrain.jar.name>" + jar.group(1) + "</beamtrain.jar.name>")
            || parentPom.contains("<beamtrain.jar.name>" + jar.group(1) + "</beamtrain.jar.name>"),
        "the shaded jar is named " + jar.group(1) + ".jar");
    String build = Files.readString(TemplateFiles.root().resolve("build.sh"));
    assertTrue(build.contains("gcloud dataflow flex-template build"));
    assertTrue(build.contains("--build-arg \"MAIN_CLASS=$class\""));
    assertTrue(build.contains("templates.properties"));
    assertTrue(build.contains("--metadata-file=\"$here/metadata/${name}.json\""));
  }
}
