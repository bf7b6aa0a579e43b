package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Where study specs come from: a file (local or gs://) or the built-in default. */
public final class Studies {
  /** Classpath resource of the study used when {@code --study} is not given. */
  public static final String DEFAULT_STUDY_RESOURCE = "io/beamtrain/pipelines/study/default-study.yaml";

  private Studies() {}

  /**
   * Reads and validates the spec at {@code path}.
   *
   * @throws InvalidStudyException naming the file when it is missing, unreadable or invalid
   */
  public static StudySpec read(String path, StorageConfig storage) {
    String text;
    try {
      text = new String(Storages.forPath(path, storage).readBytes(path), StandardCharsets.UTF_8);
    } catch (StorageException e) {
      String reason = e.kind() == StorageException.Kind.NOT_FOUND ? "file not found" : e.getMessage();
      throw new InvalidStudyException("<root>", reason).inSource(path);
    }
    return StudySpecParser.parse(text, path);
  }

  /**
   * The built-in study ({@value #DEFAULT_STUDY_RESOURCE}): a quasi-random search over the learning
   * rate and the DNN's width and depth, selected by {@code eval_loss}, which every task reports and
   * which, unlike accuracy on a small eval split, rarely ties.
   */
  public static StudySpec defaultStudy() {
    return StudySpecParser.parse(resource(DEFAULT_STUDY_RESOURCE), DEFAULT_STUDY_RESOURCE);
  }

  private static String resource(String name) {
    try (InputStream in = Studies.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
