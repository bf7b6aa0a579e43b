package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/** {@link SavedModels#load}: a damaged SavedModel is one clear error naming the file. */
class SavedModelsLoadTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path tmp;
  private Path model;

  @BeforeEach
  void export() {
    model = tmp.resolve("saved_model");
    try (TestModel m = TestModel.create()) {
      m.trainStep();
      Signature signature =
          Signature.builder()
              .key(Signature.DEFAULT_KEY)
              .input("x", m.graph.output(TestModel.INPUT))
              .output("y", m.graph.output(TestModel.OUTPUT))
              .build();
      SavedModels.export(m.session, List.of(signature), model.toString(), CONFIG);
    }
  }

  private InvalidSavedModelException loadFails() {
    return assertThrows(InvalidSavedModelException.class,
        () -> SavedModels.load(model.toString(), CONFIG, SavedModels.SERVE_TAG).close());
  }

  private static void truncate(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
  }

  @Test
  void anIntactModelLoads() {
    try (SavedModelBundle bundle = SavedModels.load(model.toString(), CONFIG, SavedModels.SERVE_TAG)) {
      assertTrue(bundle.metaGraphDef().containsSignatureDef(Signature.DEFAULT_KEY));
    }
  }

  @Test
  void garbageModelFileIsNamed() throws IOException {
    Files.writeString(model.resolve("saved_model.pb"), "not a protocol buffer at all");
    InvalidSavedModelException e = loadFails();
    assertEquals(model.resolve("saved_model.pb").toString(), e.file());
    assertTrue(e.getMessage().startsWith(model.resolve("saved_model.pb") + ": not a SavedModel"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void truncatedModelFileIsNamed() throws IOException {
    truncate(model.resolve("saved_model.pb"));
    assertEquals(model.resolve("saved_model.pb").toString(), loadFails().file());
  }

  @Test
  void missingModelFileIsNamed() throws IOException {
    Files.delete(model.resolve("saved_model.pb"));
    assertTrue(loadFails().getMessage().contains("saved_model.pb: does not exist"));
  }

  @Test
  void aModelWithoutTheTagIsNamed() {
    InvalidSavedModelException e = assertThrows(InvalidSavedModelException.class,
        () -> SavedModels.load(model.toString(), CONFIG, "gpu").close());
    assertTrue(e.getMessage().contains("has no meta graph tagged [gpu]"), e.getMessage());
  }

  @Test
  void truncatedVariablesAreNamed() throws IOException {
    Path data = model.resolve("variables/variables.data-00000-of-00001");
    truncate(data);
    InvalidSavedModelException e = loadFails();
    assertTrue(e.getMessage().contains(data.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("cannot restore the SavedModel's variables"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void garbageVariablesIndexIsNamed() throws IOException {
    Path index = model.resolve("variables/variables.index");
    Files.writeString(index, "garbage");
    assertTrue(loadFails().getMessage().contains(index.toString()));
  }
}
