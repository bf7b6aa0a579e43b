package io.beamtrain.trainer.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SavedModel under gs:// is downloaded, served like a local one, and its copy removed. */
class ServingModelGcsTest {
  static GcsTestServer server;
  @TempDir static Path dir;
  static DataDirFixture.Written penguins;
  static String localModel;

  @BeforeAll
  static void exportAndUpload() throws Exception {
    server = GcsTestServer.start().createBucket("models");
    penguins = DataDirFixture.penguins().write(dir.resolve("data"));
    localModel = dir.resolve("model").toString();
    ServingModelTest.export(
        penguins.spec(),
        ServingModelTest.randomWeights(penguins.spec().denseWidth(), 3, 5),
        localModel,
        true);
    try (Stream<Path> files = Files.walk(Path.of(localModel))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = "registry/penguins/" + Path.of(localModel).relativize(f);
        Storages.forPath("gs://models/" + name, server.storageConfig())
            .upload(f, "gs://models/" + name);
      }
    }
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void gcsModelPredictsAsTheLocalOneAndCleansUp() throws Exception {
    Set<Path> tempBefore = tempModelDirs();
    List<Prediction> expected;
    try (ServingModel local = ServingModel.load(localModel, StorageConfig.defaults())) {
      expected = local.predict(penguins.evalRowsAsStrings());
    }
    ServingModel remote =
        ServingModel.load("gs://models/registry/penguins", server.storageConfig());
    try {
      assertEquals(1, tempModelDirs().size() - tempBefore.size(), "one local copy while open");
      assertEquals(expected, remote.predict(penguins.evalRowsAsStrings()));
    } finally {
      remote.close();
    }
    assertEquals(tempBefore, tempModelDirs(), "the local copy is deleted on close");
  }

  @Test
  void emptyGcsPrefixIsBadInput() {
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> ServingModel.load("gs://models/registry/none", server.storageConfig()));
    assertTrue(e.getMessage().startsWith("gs://models/registry/none: no objects"), e.getMessage());
  }

  @Test
  void aCorruptGcsModelIsNamedByItsGcsPathAndItsCopyRemoved() throws Exception {
    Set<Path> tempBefore = tempModelDirs();
    String model = "gs://models/registry/corrupt";
    try (Stream<Path> files = Files.walk(Path.of(localModel))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = model + "/" + Path.of(localModel).relativize(f);
        Storages.forPath(name, server.storageConfig()).upload(f, name);
      }
    }
    Storages.forPath(model, server.storageConfig())
        .writeBytes(model + "/saved_model.pb", "not a SavedModel".getBytes());
    BadInputException e = assertThrows(
        BadInputException.class, () -> ServingModel.load(model, server.storageConfig()));
    assertTrue(e.getMessage().startsWith(model + ": cannot load the SavedModel, saved_model.pb is corrupt"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("beamtrain-saved-model-"), "names no temp copy: " + e.getMessage());
    assertEquals(tempBefore, tempModelDirs(), "the local copy is deleted");
  }

  private static Set<Path> tempModelDirs() throws Exception {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("beamtrain-saved-model-"))
          .collect(Collectors.toSet());
    }
  }
}
