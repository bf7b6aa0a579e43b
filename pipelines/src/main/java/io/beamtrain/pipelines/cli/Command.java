package io.beamtrain.pipelines.cli;

import io.beamtrain.pipelines.UsageException;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One {@code beamtrain} sub-command: a name, a one-line summary, the options interface its flags
 * come from (the {@code @Description}s become its {@code --help}), and what it does.
 */
public interface Command {

  /** The word after {@code beamtrain}, e.g. {@code sweep}. */
  String name();

  /** One line for the command list. */
  String summary();

  /** The options interface whose getters are the command's flags. */
  Class<? extends PipelineOptions> optionsClass();

  /**
   * Runs the command and prints a short summary to {@code out}. Throws {@link UsageException} (or
   * another bad-input exception) for exit status 2 and anything else for 1.
   */
  void run(PipelineOptions options, PrintStream out) throws Exception;
}
