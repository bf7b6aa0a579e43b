package io.beamtrain.pipelines.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** The output directory every command works under (layout fixed in docs/DESIGN.md). */
public interface OutputOptions extends PipelineOptions {

  @Description("Output directory, a local path or gs://bucket/prefix; holds data/, trials/, "
      + "results.jsonl and best/.")
  @Validation.Required
  String getOutput();

  void setOutput(String output);
}
