package io.beamtrain.pipelines.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code beamtrain dashboard}: serves a sweep's report on 127.0.0.1 only (never another interface:
 * the page shows paths and parameters). Each request of {@code /} reads the output again and
 * renders the page, told to reload itself every {@code refreshSeconds} while the sweep runs, so
 * an open tab follows the sweep as {@code report --watch} does, without writing report.html. JDK's
 * own HTTP server, one request at a time. Close to stop.
 */
public final class ReportServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportServer.class);

  private final HttpServer server;

  private ReportServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving {@code outputDir} on {@code port} of the loopback interface (0: any free port).
   *
   * @param metric the metric to rank by, or null for the report's default
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static ReportServer start(String outputDir, List<String> compare, MetricChoice metric, int port,
      int refreshSeconds, StorageConfig config) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("--port=" + port + ": cannot listen on 127.0.0.1: " + e.getMessage(), e);
    }
    server.createContext("/", exchange -> {
      try {
        if (!exchange.getRequestURI().getPath().equals("/")) {
          respond(exchange, 404, "text/plain", "not found: the report is at /");
          return;
        }
        respond(exchange, 200, "text/html", page(outputDir, compare, metric, refreshSeconds, config));
      } catch (IllegalArgumentException e) {
        // No trial yet, or a file that is not valid: say so, and keep serving.
        respond(exchange, 503, "text/plain", e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("dashboard: could not render {}: {}", outputDir, e.toString());
        respond(exchange, 500, "text/plain", "could not render the report: " + e.getMessage());
      } finally {
        exchange.close();
      }
    });
    server.start();
    return new ReportServer(server);
  }

  private static String page(String outputDir, List<String> compare, MetricChoice metric, int refreshSeconds,
      StorageConfig config) {
    SweepSnapshot snapshot = SweepReader.read(outputDir, config, metric, Clock.systemUTC());
    List<SweepSnapshot> compared = SweepReport.readCompared(compare, snapshot, config, Clock.systemUTC());
    return ReportPage.render(snapshot, new PageOptions(compared, snapshot.finished() ? 0 : refreshSeconds));
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Where the report is served, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + "/");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
