package io.beamtrain.checkpointing;

import java.time.Instant;

/** Conversions between {@link Instant} and the float seconds Python's state file stores. */
final class Timestamps {
  private Timestamps() {}

  static double toSeconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }

  /** Microsecond precision, the resolution a double keeps for present-day epoch seconds. */
  static Instant fromSeconds(double seconds) {
    long micros = Math.round(seconds * 1e6);
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** Truncates to microseconds so a timestamp survives a trip through the state file unchanged. */
  static Instant truncate(Instant instant) {
    return fromSeconds(toSeconds(instant));
  }
}
