package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointStateTest {

  @Test
  void formatsExactlyAsPythonTextFormat() {
    CheckpointState state =
        new CheckpointState(
            "model.ckpt-200",
            List.of("model.ckpt-100", "model.ckpt-200"),
            List.of(1700000000.123456, 1700000600.5),
            1699999999.0);
    assertEquals(
        "model_checkpoint_path: \"model.ckpt-200\"\n"
            + "all_model_checkpoint_paths: \"model.ckpt-100\"\n"
            + "all_model_checkpoint_paths: \"model.ckpt-200\"\n"
            + "all_model_checkpoint_timestamps: 1700000000.123456\n"
            + "all_model_checkpoint_timestamps: 1700000600.5\n"
            + "last_preserved_timestamp: 1699999999.0\n",
        state.format());
    assertEquals(state, CheckpointState.parse(state.format(), "checkpoint"));
  }

  @Test
  void omitsDefaultsLikeProto3() {
    assertEquals("", new CheckpointState("", List.of(), List.of(), 0.0).format());
  }

  @Test
  void escapesStringsAsCEscape() {
    CheckpointState state = new CheckpointState("a\"b\\c'd\té", List.of(), List.of(), 0);
    assertEquals("model_checkpoint_path: \"a\\\"b\\\\c\\'d\\t\\303\\251\"\n", state.format());
    assertEquals(state, CheckpointState.parse(state.format(), "checkpoint"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "1700000000.0, 1700000000.0",
    "1700000000.123456, 1700000000.123456",
    "0.1, 0.1",
    "-2.5, -2.5",
    "1.0E15, 1000000000000000.0",
    "1.0E16, 1e+16",
    "1.2345678901234568E17, 1.2345678901234568e+17",
    "1.5E300, 1.5e+300",
    "1.0E-4, 0.0001",
    "1.0E-5, 1e-05",
    "1.4142135623730951, 1.4142135623730951",
    "Infinity, inf",
    "0.0, 0.0",
  })
  void timestampsPrintLikePythonRepr(double value, String expected) {
    assertEquals(expected, CheckpointState.pythonRepr(value));
    if (Double.isFinite(value)) {
      assertEquals(value, Double.parseDouble(expected));
    }
  }

  @Test
  void parsesWhatTextFormatAllows() {
    String text =
        "# written by hand\n"
            + "all_model_checkpoint_paths: 'model.ckpt-1'\n"
            + "all_model_checkpoint_paths: [\"model.\" \"ckpt-2\", \"/abs/model.ckpt-3\"]\n"
            + "model_checkpoint_path: \"model.ckpt-3\"  # trailing comment\n"
            + "all_model_checkpoint_timestamps: [1.7e9, 1700000001, 1700000002.5];\n"
            + "last_preserved_timestamp: 1699999999.5,\n";
    CheckpointState state = CheckpointState.parse(text, "checkpoint");
    assertEquals("model.ckpt-3", state.modelCheckpointPath());
    assertEquals(List.of("model.ckpt-1", "model.ckpt-2", "/abs/model.ckpt-3"), state.allModelCheckpointPaths());
    assertEquals(List.of(1.7e9, 1700000001.0, 1700000002.5), state.allModelCheckpointTimestamps());
    assertEquals(1699999999.5, state.lastPreservedTimestamp());
  }

  @Test
  void acceptsStatesWithoutTimestampsFromOldTensorFlow() {
    CheckpointState state =
        CheckpointState.parse("model_checkpoint_path: \"m-2\"\nall_model_checkpoint_paths: \"m-2\"\n", "checkpoint");
    assertEquals(List.of(), state.allModelCheckpointTimestamps());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing colon | model_checkpoint_path \"x\" | 1 | expected ':'",
        "unterminated string | model_checkpoint_path: \"model.ckpt-2 | 1 | string is not terminated",
        "truncated after colon | all_model_checkpoint_paths: \"a\"\\nmodel_checkpoint_path: | 2 | expected a quoted string, found end of file",
        "unknown field | model_checkpoint_path: \"a\"\\nsave_counter: 3 | 2 | unknown field 'save_counter'",
        "not a number | all_model_checkpoint_timestamps: soon | 1 | 'soon' is not a number",
        "repeated singular field | model_checkpoint_path: \"a\"\\nmodel_checkpoint_path: \"b\" | 2 | given more than once",
        "unclosed list | all_model_checkpoint_paths: [\"a\", \"b\" | 1 | to close the list",
        "bad escape | model_checkpoint_path: \"a\\q\" | 1 | invalid escape",
        "garbage | {{{ | 1 | expected a field name, found '{{{'",
      })
  void rejectsBadFilesNamingFileAndLine(String why, String text, int line, String message) {
    String unescaped = text.replace("\\n", "\n");
    CheckpointStateFormatException e =
        assertThrows(
            CheckpointStateFormatException.class,
            () -> CheckpointState.parse(unescaped, "gs://b/run/checkpoint"));
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith("gs://b/run/checkpoint:" + line + ":"), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void rejectsTimestampCountThatDoesNotMatchPaths() {
    CheckpointStateFormatException e =
        assertThrows(
            CheckpointStateFormatException.class,
            () ->
                CheckpointState.parse(
                    "all_model_checkpoint_paths: \"a-1\"\nall_model_checkpoint_paths: \"a-2\"\n"
                        + "all_model_checkpoint_timestamps: 1.0\n",
                    "/run/checkpoint"));
    assertTrue(e.getMessage().contains("/run/checkpoint") && e.getMessage().contains("2 all_model_checkpoint_paths but 1"),
        e.getMessage());
  }
}
