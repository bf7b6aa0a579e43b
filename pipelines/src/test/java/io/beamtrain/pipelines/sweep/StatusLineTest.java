package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exact bytes of a status rewritten in place, and the plain lines everywhere else. */
class StatusLineTest {
  private static final String K = "\033[K";

  private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
  private final List<String> logged = new ArrayList<>();

  private String bytes() {
    return terminal.toString(StandardCharsets.UTF_8);
  }

  @Test
  void onATerminalEachUpdateRewritesTheLineAndCloseEndsIt() {
    StatusLine line = new StatusLine(true, terminal, logged::add, 80);
    line.update("sweep: 1/4 trials done, elapsed 0:30", true);
    line.update("sweep: 1/4 trials done, elapsed 0:31", false);
    line.update("sweep: 2/4", true);
    line.close();

    assertEquals("\rsweep: 1/4 trials done, elapsed 0:30" + K
        + "\rsweep: 1/4 trials done, elapsed 0:31" + K
        + "\rsweep: 2/4" + K
        + "\n", bytes());
    assertEquals(List.of(), logged, "nothing goes to the log on a terminal");
  }

  @Test
  void aLogLineInBetweenGetsACleanLineAndTheStatusIsRedrawnBelowIt() {
    StatusLine line = new StatusLine(true, terminal, logged::add, 80);
    PrintStream log = line.stream();
    line.update("sweep: 1/4", true);
    log.println("12:00:01 [INFO] trial-0002: resumed at step 100");
    line.update("sweep: 2/4", true);
    line.close();

    assertEquals("\rsweep: 1/4" + K
        + "\r" + K + "12:00:01 [INFO] trial-0002: resumed at step 100\n"
        + "\rsweep: 1/4" + K
        + "\rsweep: 2/4" + K
        + "\n", bytes());
  }

  @Test
  void aStatusWaitsForAnUnfinishedLogLineToEnd() {
    StatusLine line = new StatusLine(true, terminal, logged::add, 80);
    PrintStream log = line.stream();
    log.print("half a line");
    line.update("sweep: 1/4", true);
    assertEquals("half a line", bytes(), "no status in the middle of someone else's line");
    log.print(" and the rest\n");
    line.close();

    assertEquals("half a line and the rest\n\rsweep: 1/4" + K + "\n", bytes());
  }

  @Test
  void concurrentLogLinesEachLandWholeOnTheirOwnLine() throws InterruptedException {
    StatusLine line = new StatusLine(true, terminal, logged::add, 80);
    PrintStream log = line.stream();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          log.println("log line " + i + " of thread " + thread);
        }
      }));
    }
    threads.add(new Thread(() -> {
      for (int i = 0; i < 500; i++) {
        line.update("status " + i, true);
      }
    }));
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    line.close();

    String out = bytes();
    for (int t = 0; t < 4; t++) {
      for (int i = 0; i < 200; i++) {
        String text = "log line " + i + " of thread " + t;
        int at = out.indexOf(text + "\n");
        assertTrue(at >= 0, text + " not printed whole");
        assertTrue(at == 0 || out.charAt(at - 1) == '\n' || out.startsWith("\r" + K, at - 4),
            text + " does not start on a clean line");
      }
    }
    assertTrue(out.endsWith(K + "\n"), "the last status stays, ended by a newline");
  }

  @Test
  void closeWithoutAStatusWritesNothingAndATooLongStatusIsCutToTheWidth() {
    new StatusLine(true, terminal, logged::add, 80).close();
    assertEquals("", bytes());

    StatusLine line = new StatusLine(true, terminal, logged::add, 11);
    line.update("0123456789abcdef", true);
    assertEquals("\r0123456789" + K, bytes(), "a wrapped line could not be rewritten with \\r");
  }

  @Test
  void outsideATerminalOnlySignificantChangesAreLoggedAsPlainLines() {
    StatusLine line = new StatusLine(false, terminal, logged::add, 80);
    line.update("sweep: 1/4 trials done, elapsed 0:30", true);
    line.update("sweep: 1/4 trials done, elapsed 0:35", false);
    line.update("sweep: 2/4 trials done, elapsed 0:40", true);
    line.close();

    assertEquals(List.of("sweep: 1/4 trials done, elapsed 0:30", "sweep: 2/4 trials done, elapsed 0:40"), logged);
    assertEquals("", bytes(), "no carriage returns or escapes in logs");
    assertFalse(line.isTerminal());
    assertSame(System.err, line.stream());
  }

  @Test
  void interactiveOnlyWithAConsoleAUsefulTermAndNoCi() {
    assertTrue(StatusLine.isInteractive(true, Map.of("TERM", "xterm-256color")));
    assertFalse(StatusLine.isInteractive(false, Map.of("TERM", "xterm-256color")), "piped or redirected");
    assertFalse(StatusLine.isInteractive(true, Map.of("TERM", "dumb")));
    assertFalse(StatusLine.isInteractive(true, Map.of()), "no TERM");
    assertFalse(StatusLine.isInteractive(true, Map.of("TERM", "xterm", "CI", "true")));
  }

  @Test
  void widthFromColumnsElseTheProbeElseEighty() {
    assertEquals(132, StatusLine.width(Map.of("COLUMNS", "132"), () -> 100));
    assertEquals(100, StatusLine.width(Map.of("COLUMNS", "wide"), () -> 100));
    assertEquals(80, StatusLine.width(Map.of(), () -> 0));
    assertThrows(IllegalArgumentException.class, () -> new StatusLine(true, terminal, logged::add, 1));
  }
}
