package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsSidecarTest {

  @Test
  void writesSortedJsonAndReadsItBackIncludingNonFiniteValues() {
    MetricsSidecar sidecar =
        new MetricsSidecar(200, 1700000000.25,
            Map.of("eval_loss", 0.31, "eval_auc", Double.NaN, "eval_rmse", Double.POSITIVE_INFINITY));
    String json = new String(sidecar.toBytes(), StandardCharsets.UTF_8);
    assertEquals(
        "{\"step\":200,\"timestamp\":1.70000000025E9,\"metrics\":{\"eval_auc\":\"NaN\",\"eval_loss\":0.31,"
            + "\"eval_rmse\":\"Infinity\"}}",
        json);
    MetricsSidecar back = MetricsSidecar.parse(sidecar.toBytes(), "x.metrics.json");
    assertEquals(200, back.step());
    assertEquals(1700000000.25, back.timestamp());
    assertTrue(Double.isNaN(back.metrics().get("eval_auc")));
    assertEquals(Double.POSITIVE_INFINITY, back.metrics().get("eval_rmse"));
    assertEquals(0.31, back.metrics().get("eval_loss"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"step\":1 | not valid JSON",
        "[1,2] | not a metrics sidecar",
        "{\"step\":1,\"timestamp\":2} | not a metrics sidecar",
        "{\"step\":1,\"timestamp\":2,\"metrics\":{\"loss\":true}} | metric \"loss\" is not a number",
        "{\"step\":1,\"timestamp\":2,\"metrics\":{\"loss\":\"low\"}} | metric \"loss\" is not a number: \"low\"",
      })
  void badContentNamesTheFile(String content, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> MetricsSidecar.parse(content.getBytes(StandardCharsets.UTF_8), "gs://b/t/model.ckpt-1.metrics.json"));
    assertTrue(e.getMessage().startsWith("gs://b/t/model.ckpt-1.metrics.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
