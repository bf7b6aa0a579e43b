package io.beamtrain.pipelines.sweep;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A status that keeps changing while a long command runs (a sweep's progress), shown the way its
 * output is read. On an interactive terminal it is one line rewritten in place: {@code \r}, the
 * text, then {@code ESC[K} to erase what a longer earlier text left behind; {@link #close} ends it
 * with a newline, so the last status stays on screen. Anywhere else (a pipe, a log file, CI) every
 * significant change is one plain log line instead, and the clock ticking is not a change.
 *
 * <p>On a terminal the status shares stderr with the log. {@link #forStderr} therefore installs
 * {@link #stream()} as {@code System.err} (slf4j-simple looks {@code System.err} up at every
 * message) until {@link #close}: before another writer's bytes it erases the status line, and once
 * that writer's line is complete (ends with a newline) it redraws the status below it. So a log
 * line printed while the status shows lands on a clean line of its own, never in the middle of the
 * status text. A writer holding the original stream (captured before {@link #forStderr}) bypasses
 * this and can still print over the status, as does native code writing to file descriptor 2
 * (TensorFlow's C++ logging, which the launcher keeps quiet).
 *
 * <p>A status longer than the terminal wraps, and {@code \r} would then rewrite only its last
 * row; texts are cut to {@code width - 1} characters ({@code COLUMNS}, else {@code stty size},
 * else 80).
 *
 * <p>Thread-safe: status updates and other writers' bytes are serialised on one lock.
 */
public final class StatusLine implements AutoCloseable {
  /** ANSI "erase in line" from the cursor to the end of the line. */
  static final String ERASE_TO_END = "\033[K";

  private static final byte[] CLEAR = ("\r" + ERASE_TO_END).getBytes(StandardCharsets.UTF_8);
  private static final int DEFAULT_WIDTH = 80;

  private final boolean terminal;
  private final OutputStream out;
  private final Consumer<String> log;
  private final int width;
  private final PrintStream guarded;
  private final Object lock = new Object();
  private String status;
  private boolean drawn;
  private boolean atLineStart = true;
  private PrintStream replacedStderr;

  /**
   * @param terminal rewrite the status in place on {@code out}; false: send changes to {@code log}
   * @param out the terminal (unused when not {@code terminal})
   * @param log where plain status lines go when not {@code terminal}
   * @param width the terminal's columns
   */
  StatusLine(boolean terminal, OutputStream out, Consumer<String> log, int width) {
    if (width < 2) {
      throw new IllegalArgumentException("width must be >= 2, was " + width);
    }
    this.terminal = terminal;
    this.out = out;
    this.log = log;
    this.width = width;
    this.guarded = new PrintStream(new Guard(), true, StandardCharsets.UTF_8);
  }

  /**
   * The status line for this process's stderr: in place when {@link #isInteractive} says so (and
   * then installed as {@code System.err} until closed), else lines to {@code log}.
   */
  public static StatusLine forStderr(Consumer<String> log) {
    Map<String, String> env = System.getenv();
    boolean terminal = isInteractive(System.console() != null, env);
    StatusLine line = new StatusLine(terminal, System.err, log, terminal ? width(env, StatusLine::sttyColumns) : DEFAULT_WIDTH);
    if (terminal) {
      line.replacedStderr = System.err;
      System.setErr(line.guarded);
    }
    return line;
  }

  /**
   * Whether to rewrite a status in place: a console is attached ({@code System.console() != null},
   * i.e. neither stdin nor stdout is redirected), {@code TERM} is set and not {@code dumb}, and
   * {@code CI} is not set (CI services set it and log a pseudo-terminal's carriage returns as
   * noise).
   */
  public static boolean isInteractive(boolean hasConsole, Map<String, String> env) {
    String term = env.get("TERM");
    return hasConsole
        && term != null
        && !term.isEmpty()
        && !"dumb".equals(term)
        && env.get("CI") == null;
  }

  /**
   * The terminal's columns: {@code COLUMNS} when exported (shells rarely export it), else what
   * {@code probe} finds (e.g. {@code stty size}), else 80.
   */
  static int width(Map<String, String> env, IntSupplier probe) {
    int columns = parseColumns(env.getOrDefault("COLUMNS", ""));
    if (columns < 2) {
      columns = probe.getAsInt();
    }
    return columns >= 2 ? columns : DEFAULT_WIDTH;
  }

  private static int parseColumns(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Columns from {@code stty size < /dev/tty} (Java cannot ask the terminal itself); 0 if unknown. */
  static int sttyColumns() {
    try {
      Process stty = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
          .redirectErrorStream(true)
          .start();
      if (!stty.waitFor(1, TimeUnit.SECONDS)) {
        stty.destroyForcibly();
        return 0;
      }
      String[] rowsColumns = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
          .trim().split("\\s+");
      return stty.exitValue() == 0 && rowsColumns.length == 2 ? parseColumns(rowsColumns[1]) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** True when the status is rewritten in place (and worth redrawing as the clock ticks). */
  public boolean isTerminal() {
    return terminal;
  }

  /**
   * Shows {@code text}. On a terminal it replaces the status line (after another writer's
   * unfinished line it waits for that line's newline); otherwise it is logged when {@code
   * significant} (something other than the clock changed).
   */
  public void update(String text, boolean significant) {
    if (!terminal) {
      if (significant) {
        log.accept(text);
      }
      return;
    }
    synchronized (lock) {
      status = text.length() < width ? text : text.substring(0, width - 1);
      if (atLineStart) {
        draw();
      }
    }
  }

  /** A stream for other writers that keeps their lines and the status apart (see class doc). */
  public PrintStream stream() {
    return terminal ? guarded : System.err;
  }

  /** Ends the status line with a newline (on a terminal) and restores {@code System.err}. */
  @Override
  public void close() {
    synchronized (lock) {
      if (drawn) {
        write("\n".getBytes(StandardCharsets.UTF_8), 0, 1);
        drawn = false;
        atLineStart = true;
      }
      status = null;
      flush();
    }
    if (replacedStderr != null && System.err == guarded) {
      System.setErr(replacedStderr);
    }
  }

  private void draw() {
    byte[] bytes = ("\r" + status + ERASE_TO_END).getBytes(StandardCharsets.UTF_8);
    write(bytes, 0, bytes.length);
    drawn = true;
    flush();
  }

  private void write(byte[] bytes, int offset, int length) {
    try {
      out.write(bytes, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the status line", e);
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the status line", e);
    }
  }

  /** Other writers' bytes: erase the status first, redraw it after each completed line. */
  private final class Guard extends OutputStream {
    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      if (length == 0) {
        return;
      }
      synchronized (lock) {
        if (drawn) {
          StatusLine.this.write(CLEAR, 0, CLEAR.length);
          drawn = false;
        }
        StatusLine.this.write(bytes, offset, length);
        atLineStart = bytes[offset + length - 1] == '\n';
        if (atLineStart && status != null) {
          draw();
        }
      }
    }

    @Override
    public void flush() {
      synchronized (lock) {
        StatusLine.this.flush();
      }
    }
  }
}
