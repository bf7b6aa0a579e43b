package io.beamtrain.pipelines.templates;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The one flag every Flex Template main adds to its pipeline's options. */
public interface TemplateOptions extends PipelineOptions {

  @Description("Submit the job and return without waiting for it to finish, as the Dataflow Flex "
      + "Template launcher requires. Default false; --runner=DataflowRunner implies it.")
  @Default.Boolean(false)
  boolean getTemplateLaunch();

  void setTemplateLaunch(boolean templateLaunch);
}
