package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FormatTest {
  @ParameterizedTest
  @CsvSource({
    "128, 128",
    "0.97551, 0.9755",
    "0.0018281, 0.001828",
    "6.0912e-4, 6.09e-4",
    "1e-4, 1e-4",
    "12.3456, 12.35",
    "-0.5, -0.5",
    "2500000.5, 2.5e+6",
    "NaN, \u2014",
    "Infinity, \u2014"
  })
  void numbers(double value, String expected) {
    assertEquals(expected, Format.number(value));
  }

  @ParameterizedTest
  @CsvSource({"42.81, 42.8s", "83, 1m 23s", "3599.6, 1h 00m", "7380, 2h 03m"})
  void durations(double seconds, String expected) {
    assertEquals(expected, Format.duration(seconds));
  }

  @Test
  void valuesAndTicks() {
    assertEquals("64,32", Format.value(List.of(64, 32)));
    assertEquals("adam", Format.value("adam"));
    assertEquals("", Format.value(null));
    assertEquals("\u2014", Format.duration(null));
    assertEquals("20k", Format.tick(20_000));
    assertEquals("1.5M", Format.tick(1_500_000));
    assertEquals("", Format.sortKey(Double.NaN));
  }

  @Test
  void escapingCoversEveryHtmlSpecialCharacter() {
    assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", Html.escape("<a href=\"x\">&'"));
    assertEquals("", Html.escape(null));
  }
}
