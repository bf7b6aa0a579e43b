package io.beamtrain.pipelines.testing;

import java.util.function.Consumer;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * Runs Beam's {@link TestPipeline} from JUnit 5 tests. TestPipeline is a JUnit 4 rule: it checks
 * that the pipeline was run and that every PAssert was applied only when wrapped around a test
 * body; this applies the rule to {@code body} the way JUnit 4 would.
 */
public final class TestPipelines {
  private TestPipelines() {}

  /** Creates a TestPipeline, hands it to {@code body} (which builds and runs it) under the rule. */
  public static void run(Class<?> testClass, String testName, Consumer<TestPipeline> body) throws Throwable {
    TestPipeline pipeline = TestPipeline.create();
    Statement statement = new Statement() {
      @Override
      public void evaluate() {
        body.accept(pipeline);
      }
    };
    pipeline.apply(statement, Description.createTestDescription(testClass, testName)).evaluate();
  }
}
