package io.beamtrain.checkpointing.storage;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long GCS requests wait and how long transient failures (408, 429, 5xx, dropped connections)
 * are retried, with exponential backoff (multiplier 2, jittered) as GCS's retry strategy
 * recommends. Failures that retrying cannot fix are never retried, whatever these settings say: a
 * missing bucket or object, 401/403, 412, and an endpoint that refuses connections, cannot be
 * resolved or does not answer the connect (see {@code GcsStorage}).
 *
 * @param initialDelay backoff before the first retry
 * @param maxDelay cap on the backoff between retries
 * @param totalTimeout give up retrying one operation after this long
 * @param maxAttempts cap on attempts per operation; 0 means limited by {@code totalTimeout} only
 * @param connectTimeout TCP connect timeout of one request
 * @param readTimeout socket read timeout of one request (time without a byte from the server)
 */
public record GcsRetrySettings(
    Duration initialDelay,
    Duration maxDelay,
    Duration totalTimeout,
    int maxAttempts,
    Duration connectTimeout,
    Duration readTimeout)
    implements Serializable {

  public GcsRetrySettings {
    requirePositive("initialDelay", initialDelay);
    requirePositive("maxDelay", maxDelay);
    requirePositive("totalTimeout", totalTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("readTimeout", readTimeout);
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay (" + maxDelay + ") must not be below initialDelay (" + initialDelay + ")");
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be >= 0, was " + maxAttempts);
    }
  }

  /**
   * For real GCS: 1 s initial backoff, 32 s cap, 2 minutes per operation, no attempt cap, 10 s
   * connect timeout, 60 s read timeout.
   */
  public static GcsRetrySettings defaults() {
    return new GcsRetrySettings(
        Duration.ofSeconds(1),
        Duration.ofSeconds(32),
        Duration.ofMinutes(2),
        0,
        Duration.ofSeconds(10),
        Duration.ofSeconds(60));
  }

  /**
   * For a server on the local machine or network (the test server, an emulator): 5 ms initial
   * backoff, 100 ms cap, 20 s per operation, 2 s connect timeout, 30 s read timeout. Twenty
   * consecutive 503s cost about a second.
   */
  public static GcsRetrySettings localServer() {
    return new GcsRetrySettings(
        Duration.ofMillis(5),
        Duration.ofMillis(100),
        Duration.ofSeconds(20),
        0,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30));
  }

  public GcsRetrySettings withTotalTimeout(Duration timeout) {
    return new GcsRetrySettings(
        initialDelay, maxDelay, timeout, maxAttempts, connectTimeout, readTimeout);
  }

  public GcsRetrySettings withMaxAttempts(int attempts) {
    return new GcsRetrySettings(
        initialDelay, maxDelay, totalTimeout, attempts, connectTimeout, readTimeout);
  }

  public GcsRetrySettings withReadTimeout(Duration timeout) {
    return new GcsRetrySettings(
        initialDelay, maxDelay, totalTimeout, maxAttempts, connectTimeout, timeout);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
  }
}
