package io.beamtrain.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.util.UserCodeException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.runtime.JobException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.operators.chaining.ExceptionInChainedStubException;
import org.junit.jupiter.api.Test;

/** The CLI's failure line is the outermost message that says something of its own. */
class FailureMessageTest {

  @Test
  void ourMessageWinsOverTheHostNameItWraps() {
    Throwable failure = new IllegalStateException(
        "gs://b/x: read failed: cannot reach the GCS endpoint https://storage.googleapis.com",
        new RuntimeException("storage.googleapis.com", new UnknownHostException("storage.googleapis.com")));
    assertEquals("gs://b/x: read failed: cannot reach the GCS endpoint https://storage.googleapis.com",
        FailureMessage.of(failure));
  }

  @Test
  void wrappersThatOnlyRestateTheirCauseAreSkipped() {
    // The DirectRunner wraps a worker's exception as new PipelineExecutionException(cause).
    Throwable worker = new IllegalStateException("all 3 trials failed; trial-0000 FAILED: NaN loss");
    Throwable failure = new PipelineExecutionException(new UncheckedIOException(
        "all 3 trials failed; trial-0000 FAILED: NaN loss", new IOException(worker)));
    assertEquals("all 3 trials failed; trial-0000 FAILED: NaN loss", FailureMessage.of(failure));
  }

  @Test
  void theFlinkRunnersWrappersGiveWayToTheErrorInside() {
    // The chain a Flink session cluster without flink-setup gives (FlinkSessionClusterIT), which
    // printed "failed: Pipeline execution failed".
    Throwable refusal = new UnsatisfiedLinkError("TensorFlow is loaded by this Flink job's class loader: "
        + "run 'beamtrain flink-setup --flinkHome=<Flink dir>' on every TaskManager host");
    Throwable chained = new ExceptionInChainedStubException(
        "FlatMap (FlatMap at Tune/RunTrials/SpreadOverWorkers/DropKeys)", UserCodeException.wrap(refusal));
    Throwable failure = thrownBy("org.apache.beam.runners.flink.FlinkRunner", new RuntimeException(
        "Pipeline execution failed", new ProgramInvocationException("Job failed (JobID: 1393)",
            new JobExecutionException(new JobID(), "Job execution failed.", new JobException(
                "Recovery is suppressed by NoRestartBackoffTimeStrategy", UserCodeException.wrap(chained))))));
    assertEquals(refusal.getMessage(), FailureMessage.of(failure));
  }

  @Test
  void anEnginesOwnMessageWithoutACauseIsKept() {
    Throwable buffers = thrownBy("org.apache.flink.runtime.io.network.buffer.NetworkBufferPool",
        new IOException("Insufficient number of network buffers: required 512, but only 305 available"));
    Throwable failure = thrownBy("org.apache.beam.runners.flink.FlinkRunner",
        new RuntimeException("Pipeline execution failed", buffers));
    assertEquals(buffers.getMessage(), FailureMessage.of(failure));
  }

  /** {@code t} as if thrown by code of {@code className}. */
  private static <T extends Throwable> T thrownBy(String className, T t) {
    t.setStackTrace(new StackTraceElement[] {new StackTraceElement(className, "run", null, -1)});
    return t;
  }

  @Test
  void aBareWordAloneIsNamedByItsException() {
    Throwable failure = new RuntimeException(new RuntimeException("storage.googleapis.com",
        new UnknownHostException("storage.googleapis.com")));
    assertEquals("UnknownHostException: storage.googleapis.com", FailureMessage.of(failure));
  }

  @Test
  void noMessageAtAllGivesTheExceptionName() {
    assertEquals("NullPointerException", FailureMessage.of(new RuntimeException(null, new NullPointerException())));
  }

  @Test
  void aCycleInTheCauseChainEnds() {
    ConnectException inner = new ConnectException("refused");
    RuntimeException outer = new RuntimeException("x", inner);
    inner.initCause(outer);
    assertEquals("ConnectException: refused", FailureMessage.of(outer));
  }

  /** End to end: an endpoint that refuses connections, as in the issue (which printed only the host). */
  @Test
  void cliPrintsTheStorageLayersMessageForAnUnreachableEndpoint() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run("sweep", "--output=gs://beamtrain-nowhere/out",
        "--gcsEndpoint=http://127.0.0.1:" + port, "--gcsNoCredentials");
    String text = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, status, text);
    assertFalse(text.contains("\n"), text);
    assertTrue(text.startsWith("beamtrain sweep: failed: gs://beamtrain-nowhere/out/"), text);
    assertTrue(text.contains("cannot reach the GCS endpoint http://127.0.0.1:" + port), text);
  }
}
