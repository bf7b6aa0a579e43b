package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's benchmark: preprocess {@code data/flights-200k.csv} on the DirectRunner as CSV (the
 * baseline), as Parquet and as Avro, converted here with the real libraries ({@link TypedFiles}:
 * Snappy Parquet, deflate Avro) before the clock starts. Each format is warmed up on the first
 * 20k rows first. Prints rows/s, the ratio to CSV, and the file sizes; asserts that every row arrived.
 *
 * <p>Run: {@code mvn -B -Pbenchmarks verify -pl pipelines -am -Dtest=TypedInputBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class TypedInputBenchmark {
  private static final Schema FLIGHTS = SchemaBuilder.record("flight").fields()
      .optionalLong("delay").optionalLong("distance").optionalDouble("time").endRecord();

  private static final String CSV = "data/flights-200k.csv";

  @TempDir Path tmp;

  @Test
  void flights200kAsCsvParquetAndAvro() throws IOException {
    List<String> lines = Files.readAllLines(PreprocessBenchmark.findInRepository(CSV));
    Map<String, Path> inputs = inputs(lines, "big");
    Map<String, Path> warmUps = inputs(lines.subList(0, 20_001), "small");
    long rows = Files.lines(inputs.get("csv")).count() - 1;

    Map<String, Double> rates = new LinkedHashMap<>();
    for (String format : inputs.keySet()) {
      PreprocessBenchmark.beam(warmUps.get(format), tmp.resolve("warm-" + format));
      long start = System.nanoTime();
      long written = PreprocessBenchmark.beam(inputs.get(format), tmp.resolve("out-" + format));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(rows, written, format);
      rates.put(format, rows / seconds);
    }
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "%nTypedInputBenchmark flights-200k (%d rows, %d cores, DirectRunner)%n", rows,
        Runtime.getRuntime().availableProcessors()));
    for (Map.Entry<String, Double> rate : rates.entrySet()) {
      report.append(String.format(Locale.ROOT,
          "  %-8s %,10.0f rows/s  ratio to CSV %5.2f  file %,11d bytes%n", rate.getKey(),
          rate.getValue(), rate.getValue() / rates.get("csv"),
          Files.size(inputs.get(rate.getKey()))));
    }
    report.append(String.format(Locale.ROOT, "  system load average at the end: %.1f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    System.out.println(report);
  }

  /** {@code lines} (a header and rows) as a CSV, a Parquet and an Avro file. */
  private Map<String, Path> inputs(List<String> lines, String name) throws IOException {
    Path csv = tmp.resolve(name + "/flights.csv");
    Files.createDirectories(csv.getParent());
    Files.write(csv, lines);
    List<GenericRecord> records = TypedFiles.fromCsv(lines, FLIGHTS);
    Path parquet = tmp.resolve(name + "/flights.parquet");
    Path avro = tmp.resolve(name + "/flights.avro");
    TypedFiles.writeParquet(parquet, FLIGHTS, records);
    TypedFiles.writeAvro(avro, FLIGHTS, records);
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("csv", csv);
    inputs.put("parquet", parquet);
    inputs.put("avro", avro);
    return inputs;
  }
}
