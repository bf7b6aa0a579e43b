package io.beamtrain.pipelines.dataflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.DoFnInfo;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.StringUtils;
import org.xerial.snappy.SnappyInputStream;

/**
 * A Dataflow job as the DataflowRunner wrote it for {@code --templateLocation}: the job JSON
 * (steps, environment, the options the workers get) plus the staged pipeline proto Runner v2
 * workers execute. Read offline: nothing here talks to Dataflow.
 */
final class DataflowJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One step of the job graph. */
  record Step(String id, String kind, String userName, String input, JsonNode properties) {
    /** The step's serialized function (DoFn, CombineFn, WindowFn), decompressed; empty if none. */
    byte[] serializedFnBytes() {
      JsonNode fn = properties.path("serialized_fn").path("value");
      return fn.isMissingNode() ? new byte[0] : snappy(StringUtils.jsonStringToByteArray(fn.asText()));
    }

    /** The DoFn of a ParallelDo step. */
    Object doFn() {
      JsonNode fn = properties.path("serialized_fn").path("value");
      DoFnInfo<?, ?> info = (DoFnInfo<?, ?>) SerializableUtils.deserializeFromByteArray(
          StringUtils.jsonStringToByteArray(fn.asText()), userName);
      return info.getDoFn();
    }
  }

  private final JsonNode job;
  private final Map<String, Step> steps = new HashMap<>();
  private final List<Step> ordered = new ArrayList<>();

  private DataflowJob(JsonNode job) {
    this.job = job;
    for (JsonNode node : job.path("steps")) {
      JsonNode props = node.path("properties");
      Step step = new Step(node.path("name").asText(), node.path("kind").asText(),
          props.path("user_name").path("value").asText(),
          props.path("parallel_input").path("step_name").asText(null), props);
      steps.put(step.id(), step);
      ordered.add(step);
    }
  }

  static DataflowJob read(Path template) {
    try {
      return new DataflowJob(JSON.readTree(Files.readString(template)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Step> steps() {
    return ordered;
  }

  /** The one step whose user name ends with {@code suffix}. */
  Step step(String suffix) {
    List<Step> found = ordered.stream().filter(s -> s.userName().endsWith(suffix)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one step named *" + suffix + ", found " + found.size()
          + " in " + ordered.stream().map(Step::userName).toList());
    }
    return found.get(0);
  }

  /** The steps from {@code step}'s main input up to the source, nearest first. */
  List<Step> upstream(Step step) {
    List<Step> chain = new ArrayList<>();
    for (Step s = steps.get(step.input()); s != null; s = steps.get(s.input())) {
      chain.add(s);
    }
    return chain;
  }

  /** The pipeline options the workers receive. */
  JsonNode workerOptions() {
    return job.path("environment").path("sdkPipelineOptions").path("options");
  }

  /** The files staged for the workers (the {@code packages} of the worker pool). */
  List<String> stagedPackages() {
    List<String> names = new ArrayList<>();
    for (JsonNode pool : job.path("environment").path("workerPools")) {
      for (JsonNode pkg : pool.path("packages")) {
        names.add(pkg.path("location").asText());
      }
    }
    return names;
  }

  /** The job's steps as JSON text (names, display data, output info). */
  String stepsJson() {
    return job.path("steps").toString();
  }

  /**
   * Every DoFn payload of the staged Runner v2 pipeline proto, decompressed: what the workers
   * deserialize and run.
   */
  static List<byte[]> protoDoFnPayloads(byte[] pipelineProto) {
    try {
      RunnerApi.Pipeline pipeline = RunnerApi.Pipeline.parseFrom(pipelineProto);
      List<byte[]> payloads = new ArrayList<>();
      for (RunnerApi.PTransform transform : pipeline.getComponents().getTransformsMap().values()) {
        if (transform.getSpec().getUrn().equals("beam:transform:pardo:v1")) {
          RunnerApi.ParDoPayload pardo = RunnerApi.ParDoPayload.parseFrom(transform.getSpec().getPayload());
          payloads.add(snappy(pardo.getDoFn().getPayload().toByteArray()));
        }
      }
      return payloads;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of the first field of {@code type} declared by {@code object}'s class. */
  static <T> T field(Object object, Class<T> type) {
    for (Field f : object.getClass().getDeclaredFields()) {
      if (f.getType() == type) {
        try {
          f.setAccessible(true);
          return type.cast(f.get(object));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError(object.getClass() + " has no field of type " + type);
  }

  /** Latin-1 text of serialized bytes, so Java-serialized ASCII strings can be searched. */
  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] snappy(byte[] compressed) {
    try (SnappyInputStream in = new SnappyInputStream(new ByteArrayInputStream(compressed))) {
      return in.readAllBytes();
    } catch (IOException e) {
      // Not every payload is compressed (e.g. a URN-only spec): search it as it is.
      return compressed;
    }
  }
}
