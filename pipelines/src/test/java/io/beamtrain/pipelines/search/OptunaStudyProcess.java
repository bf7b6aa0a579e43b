package io.beamtrain.pipelines.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One Optuna study in a child process ({@code benchmarks/optuna/ask_tell.py} under Debian's
 * {@code /usr/bin/python3}), driven through its ask/tell interface in JSON lines: {@link #ask}
 * returns the next trial's parameters, {@link #report} forwards an evaluation and returns the
 * pruner's answer, {@link #tell}/{@link #pruned}/{@link #failed} close the trial. Optuna decides
 * everything a user's Optuna study would; the caller only trains. Not thread-safe: one trial at a
 * time, as {@code study.optimize} with one job runs them.
 */
final class OptunaStudyProcess implements AutoCloseable {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path SCRIPT =
      Path.of("..", "benchmarks", "optuna", "ask_tell.py").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final BufferedReader out;
  private final Writer in;

  private OptunaStudyProcess(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Whether Optuna can run here (the interpreter and the script exist). */
  static boolean available() {
    return Files.isExecutable(PYTHON) && Files.exists(SCRIPT);
  }

  /**
   * Starts a study: {@code sampler} one of tpe, tpe-mv, tpe-hyperband (TPE with a HyperbandPruner
   * from {@code minResource} to {@code maxResource} steps), random.
   */
  static OptunaStudyProcess start(String sampler, long seed, int trials, boolean minimize, int minResource,
      int maxResource) {
    try {
      Process process = new ProcessBuilder(List.of(PYTHON.toString(), SCRIPT.toString(), "--sampler=" + sampler,
              "--seed=" + seed, "--trials=" + trials, "--direction=" + (minimize ? "minimize" : "maximize"),
              "--min-resource=" + minResource, "--max-resource=" + maxResource))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      return new OptunaStudyProcess(process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next trial's parameters, or empty when the study has asked all its trials. */
  SortedMap<String, Object> ask() {
    JsonNode message = receive();
    SortedMap<String, Object> params = new TreeMap<>();
    if (message.has("done")) {
      return params;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = message.get("params").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      params.put(e.getKey(), e.getValue().isIntegralNumber() ? (Object) e.getValue().intValue()
          : e.getValue().isNumber() ? (Object) e.getValue().doubleValue() : e.getValue().asText());
    }
    return params;
  }

  /** Reports the running trial's value at {@code step}; true when Optuna's pruner stops it there. */
  boolean report(long step, double value) {
    send(Map.of("report", step, "value", value));
    return receive().get("prune").asBoolean();
  }

  void tell(double value) {
    send(Map.of("tell", value));
  }

  void pruned() {
    send(Map.of("pruned", true));
  }

  void failed() {
    send(Map.of("failed", true));
  }

  private void send(Map<String, Object> message) {
    try {
      in.write(JSON.writeValueAsString(message) + "\n");
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode receive() {
    try {
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("Optuna's process ended early (exit " + process.waitFor() + ")");
      }
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
