package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamtrain demo} through the command line, shortened to two trials. */
class DemoTest {
  @TempDir Path tmp;

  @Test
  void demoTrainsExportsAndScoresSamples() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path output = tmp.resolve("demo");
    int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all())
        .run("demo", "--output=" + output, "--maxTrials=2", "--trainSteps=400", "--progressEverySeconds=0");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8) + text);

    Matcher accuracy = Pattern.compile("eval_accuracy=([0-9.]+)").matcher(text);
    assertTrue(accuracy.find(), text);
    assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.95, text);
    assertTrue(text.contains("model: " + output.resolve("best/saved_model")), text);
    // One sample per species, each scored right.
    Matcher sample = Pattern.compile("-> (\\w+) \\(p=[0-9.]+\\), actual (\\w+)").matcher(text);
    int samples = 0;
    while (sample.find()) {
      samples++;
      assertEquals(sample.group(2), sample.group(1), text);
    }
    assertEquals(3, samples, text);
    assertTrue(Files.exists(output.resolve("data/transform.json")));
    assertTrue(Files.exists(output.resolve("results.jsonl")));
    assertTrue(Files.exists(output.resolve("best/best.json")));
    assertTrue(Files.exists(output.resolve("best/saved_model/saved_model.pb")));
  }
}
