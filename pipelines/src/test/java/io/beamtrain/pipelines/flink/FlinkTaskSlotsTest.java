package io.beamtrain.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.beamtrain.pipelines.sweep.TrialParallelism;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Trials per worker on a Flink session cluster: its TaskManagers' slots, asked of the JobManager. */
class FlinkTaskSlotsTest {
  private HttpServer jobManager;

  @BeforeEach
  void startJobManager() throws IOException {
    jobManager = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jobManager.createContext("/taskmanagers", exchange -> {
      byte[] body = """
          {"taskmanagers":[{"id":"tm-1","slotsNumber":2,"freeSlots":2},
                           {"id":"tm-2","slotsNumber":3,"freeSlots":3}]}
          """.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    jobManager.start();
  }

  @AfterEach
  void stopJobManager() {
    jobManager.stop(0);
  }

  private String master() {
    return "127.0.0.1:" + jobManager.getAddress().getPort();
  }

  @Test
  void aClusterTrainsAsManyTrialsPerWorkerAsATaskManagerHasSlots() {
    // --parallelism is the whole cluster's; a TaskManager runs only its own slots' subtasks.
    var options = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=" + master(),
        "--parallelism=5").create();
    assertEquals(3, TrialParallelism.resolve(options, 0, 8));
    assertEquals(2, TrialParallelism.resolve(options, 0, 2));
    assertEquals(1, TrialParallelism.resolve(options, 1, 8));
  }

  @Test
  void anUnreachableJobManagerLeavesItToTheWorkersCores() {
    jobManager.stop(0);
    assertTrue(FlinkTaskSlots.perTaskManager(master()).isEmpty());
  }

  @Test
  void embeddedFlinkIsNoCluster() {
    assertFalse(FlinkTaskSlots.isCluster("[local]"));
    assertFalse(FlinkTaskSlots.isCluster("[auto]"));
    assertTrue(FlinkTaskSlots.isCluster("jobmanager:8081"));
  }
}
