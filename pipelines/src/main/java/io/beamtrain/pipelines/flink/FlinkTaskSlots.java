package io.beamtrain.pipelines.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task slots of a Flink session cluster's TaskManagers, asked of its JobManager's REST API
 * ({@code GET /taskmanagers}) when a pipeline is built for it. A TaskManager runs one subtask per
 * slot, so its slots are the trials one worker JVM trains at once, which sizes each trial's
 * TensorFlow threads ({@code cores / slots}). Embedded Flink ({@code [local]}) runs every slot in
 * this JVM and needs no lookup.
 */
public final class FlinkTaskSlots {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkTaskSlots.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private FlinkTaskSlots() {}

  /** Whether {@code flinkMaster} names a cluster, not Beam's embedded ({@code [local]}) or automatic choice. */
  public static boolean isCluster(String flinkMaster) {
    return flinkMaster != null && !flinkMaster.isBlank() && !flinkMaster.startsWith("[");
  }

  /**
   * The most slots any TaskManager of the cluster at {@code flinkMaster} ({@code host:port} of the
   * REST endpoint, as {@code --flinkMaster} takes it) has; empty, with a warning, when it cannot be
   * asked (the trials then size their threads from the worker's cores alone).
   */
  public static OptionalInt perTaskManager(String flinkMaster) {
    String base = flinkMaster.contains("://") ? flinkMaster : "http://" + flinkMaster;
    URI uri = URI.create(base.replaceAll("/+$", "") + "/taskmanagers");
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        LOG.warn("{}: HTTP {}; trials per worker from the workers' cores", uri, response.statusCode());
        return OptionalInt.empty();
      }
      return slots(JSON.readTree(response.body()));
    } catch (IOException e) {
      LOG.warn("{}: {}; trials per worker from the workers' cores", uri, e.toString());
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  /** The largest {@code slotsNumber} of a {@code /taskmanagers} answer. */
  static OptionalInt slots(JsonNode taskManagers) {
    int most = 0;
    for (JsonNode tm : taskManagers.path("taskmanagers")) {
      most = Math.max(most, tm.path("slotsNumber").asInt(0));
    }
    return most > 0 ? OptionalInt.of(most) : OptionalInt.empty();
  }
}
