package io.beamtrain.pipelines.cli;

import java.util.List;

/** The commands of {@code beamtrain}, in the order {@code --help} lists them. */
public final class Commands {
  private Commands() {}

  public static List<Command> all() {
    return List.of();
  }
}
