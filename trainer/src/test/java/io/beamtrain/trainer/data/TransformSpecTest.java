package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TransformSpecTest {
  @Test
  void jsonRoundTripsWithSnakeCaseFieldsAndNoDerivedValues() throws Exception {
    TransformSpec spec = ExamplesTest.PENGUINS;
    String json = spec.toJson();
    assertEquals(spec, TransformSpec.fromJson(json, "t.json"));
    JsonNode tree = new ObjectMapper().readTree(json);
    assertEquals(1, tree.get("features").get(1).get("oov_buckets").asInt());
    assertTrue(tree.get("split").has("train_files"));
    assertTrue(tree.get("split").has("eval_fraction"));
    assertEquals("MULTICLASS_CLASSIFICATION", tree.get("label").get("task").asText());
    assertTrue(!tree.get("features").get(0).has("dense_width") && !tree.get("features").get(0).has("denseWidth"));
    assertTrue(!tree.get("features").get(1).has("oovBucketsOrDefault"));
  }

  @Test
  void unknownFieldsAreRejectedNamingTheFile() {
    String json = ExamplesTest.PENGUINS.toJson().replace("\"version\"", "\"versoin\"");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TransformSpec.fromJson(json, "x/transform.json"));
    assertTrue(e.getMessage().startsWith("x/transform.json: not a valid transform.json"));
  }

  @Test
  void missingOovBucketsMeansOne() {
    String json = ExamplesTest.PENGUINS.toJson().replace("\"oov_buckets\" : 1", "\"oov_buckets\" : null");
    TransformSpec spec = TransformSpec.fromJson(json, "t.json");
    assertEquals(1 + 3, spec.denseWidth());
  }
}
