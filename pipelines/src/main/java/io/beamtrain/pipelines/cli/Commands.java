package io.beamtrain.pipelines.cli;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.commands.DemoPipeline;
import io.beamtrain.pipelines.commands.ExportPipeline;
import io.beamtrain.pipelines.commands.PredictPipeline;
import io.beamtrain.pipelines.commands.PreprocessCommand;
import io.beamtrain.pipelines.commands.ReportCommand;
import io.beamtrain.pipelines.commands.RetrainPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.commands.TrainPipeline;
import io.beamtrain.pipelines.flink.FlinkSetup;
import io.beamtrain.pipelines.options.OutputOptions;
import io.beamtrain.pipelines.options.StorageOptions;
import java.io.PrintStream;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/** The commands of {@code beamtrain}, in the order {@code --help} lists them. */
public final class Commands {
  private Commands() {}

  /** What a command does with its parsed options. */
  @FunctionalInterface
  interface Action<O extends PipelineOptions> {
    void run(O options, PrintStream out) throws Exception;
  }

  /** A command made of its parts. */
  record Simple<O extends PipelineOptions>(
      String name, String summary, Class<O> optionsClass, Action<O> action) implements Command {
    @Override
    public void run(PipelineOptions options, PrintStream out) throws Exception {
      action.run(options.as(optionsClass), out);
    }
  }

  /** Flags of {@code report}: the output directory, the ranking metric, where gs:// goes. */
  public interface ReportOptions extends OutputOptions, ReportCommand.Options, StorageOptions {}

  private static void report(ReportOptions options, PrintStream out) throws InterruptedException {
    StorageConfig storage = PipelineStorage.config(options);
    try {
      ReportCommand.run(options.getOutput(), options, storage, out);
    } catch (IllegalArgumentException e) {
      // ReportCommand's documented bad-input cases: a bad --goal, --format, --compare or
      // --watchSeconds, or an output with no sweep.
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** Flags of {@code dashboard}: those of {@code report} and the port. */
  public interface DashboardOptions extends OutputOptions, ReportCommand.DashboardOptions, StorageOptions {}

  private static void dashboard(DashboardOptions options, PrintStream out) throws InterruptedException {
    StorageConfig storage = PipelineStorage.config(options);
    try {
      ReportCommand.serve(options.getOutput(), options, storage, out);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      // Bad flags, or a port that cannot be bound: the user's to fix.
      throw new UsageException(e.getMessage(), e);
    }
  }

  public static List<Command> all() {
    return List.of(
        new Simple<>("preprocess",
            "Analyze CSV/JSON Lines input and write tf.Example shards + transform.json to <output>/data.",
            PreprocessCommand.Options.class,
            (options, out) -> out.println(PreprocessCommand.run(options))),
        new Simple<>("sweep",
            "Train the trials of a study on <output>/data in parallel; export the best to <output>/best.",
            SweepPipeline.Options.class,
            (options, out) -> out.println(SweepPipeline.run(options).summary())),
        new Simple<>("export",
            "Select the best trial of <output> again and export it to <output>/best.",
            ExportPipeline.Options.class,
            (options, out) -> out.println(ExportPipeline.run(options).summary())),
        new Simple<>("train",
            "preprocess + sweep + export in one pipeline run.",
            TrainPipeline.Options.class,
            (options, out) -> out.println(TrainPipeline.run(options).summary())),
        new Simple<>("predict",
            "Score raw CSV/JSON Lines rows with an exported SavedModel into JSON Lines predictions.",
            PredictPipeline.Options.class,
            (options, out) -> out.println(PredictPipeline.run(options).summary())),
        new Simple<>("retrain",
            "Retrain on a new data slice from the champion of a model registry; promote if better.",
            RetrainPipeline.Options.class,
            (options, out) -> out.println(RetrainPipeline.run(options).summary())),
        new Simple<>("report",
            "Write <output>/report.html (trials, curves, history, importance, slices); --format=table, --watch, --compare.",
            ReportOptions.class,
            Commands::report),
        new Simple<>("dashboard",
            "Serve <output>'s report on 127.0.0.1 (--port=8080), the open page following a running sweep.",
            DashboardOptions.class,
            Commands::dashboard),
        new Simple<>("demo",
            "train on the bundled penguins data (label: species) and score a sample row.",
            DemoPipeline.Options.class,
            (options, out) -> out.println(DemoPipeline.run(options))),
        new Simple<>("flink-setup",
            "Prepare a Flink installation (lib/, conf/) to run beamtrain jobs one after another.",
            FlinkSetup.Options.class,
            (options, out) -> out.println(FlinkSetup.run(options))));
  }
}
