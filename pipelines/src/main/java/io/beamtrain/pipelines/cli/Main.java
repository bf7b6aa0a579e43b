package io.beamtrain.pipelines.cli;

/**
 * Entry point of {@code ./beamtrain}: {@code beamtrain <command> [--flags]}. See {@link Cli} for
 * parsing and exit statuses and {@link Commands} for the commands.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(new Cli(System.out, System.err, Commands.all()).run(args));
  }
}
