package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.bigquery.model.Streamingbuffer;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.preprocess.FakeStorageReadClient;
import io.beamtrain.pipelines.preprocess.TypedFiles;
import io.beamtrain.pipelines.retrain.ModelCard;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.retrain.RetrainSlices;
import io.beamtrain.pipelines.retrain.RunRecord;
import io.beamtrain.pipelines.retrain.RunStatus;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retrain --input=bq://project.dataset.table} against Beam's BigQuery fakes and the
 * in-memory Storage Read server: the slice's identity is the table's modification time and row
 * count, so a rerun on the unchanged table is the same run and a changed table a new one.
 */
class RetrainBigQueryTest {
  private static final TableReference TABLE =
      new TableReference().setProjectId("proj").setDatasetId("ds").setTableId("slice");

  @TempDir Path tmp;

  private FakeDatasetService datasets;

  private FakeBigQueryServices services() throws Exception {
    RetrainSlices slices = RetrainSlices.penguins(3);
    List<GenericRecord> rows = TypedFiles.fromCsv(
        slices.csv(0, slices.size()).lines().toList(), TypedFiles.PENGUINS);
    FakeDatasetService.setUp();
    datasets = new FakeDatasetService();
    datasets.createDataset("proj", "ds", "US", "", null);
    return new FakeBigQueryServices().withDatasetService(datasets)
        .withJobService(new FakeJobService())
        .withStorageClient(new FakeStorageReadClient("retrain-slice", TypedFiles.PENGUINS, rows, 2));
  }

  /** (Re)creates the slice table with this metadata. */
  private void table(Long lastModified, long numRows, Streamingbuffer streaming) throws Exception {
    datasets.deleteTable(TABLE);
    List<TableFieldSchema> fields = new ArrayList<>();
    for (String[] f : new String[][] {{"species", "STRING"}, {"island", "STRING"},
        {"beak_length_mm", "FLOAT64"}, {"beak_depth_mm", "FLOAT64"}, {"flipper_length_mm", "INT64"},
        {"body_mass_g", "INT64"}, {"sex", "STRING"}}) {
      fields.add(new TableFieldSchema().setName(f[0]).setType(f[1]).setMode("NULLABLE"));
    }
    datasets.createTable(new Table().setTableReference(TABLE)
        .setSchema(new TableSchema().setFields(fields)).setNumBytes(1L << 20)
        .setNumRows(BigInteger.valueOf(numRows)).setLastModifiedTime(lastModified == null ? null : BigInteger.valueOf(lastModified))
        .setStreamingBuffer(streaming));
  }

  private RetrainPipeline.Options options(Path registry, String... more) throws Exception {
    Path study = Files.writeString(tmp.resolve("study.yaml"), RetrainPipelineTest.STUDY);
    List<String> args = new ArrayList<>(List.of("--models=" + registry, "--label=species",
        "--study=" + study, "--project=proj", "--tempLocation=" + tmp.resolve("temp")));
    args.addAll(List.of(more));
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation()
        .as(RetrainPipeline.Options.class);
  }

  @Test
  void aTableSliceIsRetrainedOnARerunIsTheSameRunAndAChangedTableANewOne() throws Exception {
    FakeBigQueryServices services = services();
    table(1_700_000_000_000L, 344, null);
    Path registry = tmp.resolve("models");
    String input = "--input=bq://proj.ds.slice";

    RunRecord first = RetrainPipeline.run(options(registry, input), services);

    assertEquals(RunStatus.PROMOTED, first.status(), first.reason());
    Path cardFile = registry.resolve(first.version()).resolve(ModelCard.FILE_NAME);
    ModelCard card = ModelCard.fromJson(Files.readString(cardFile), cardFile.toString());
    assertEquals(List.of("bq://proj.ds.slice lastModifiedTime=1700000000000 numRows=344"),
        card.files(), "the card names the table and the state it was trained on");

    RetrainPipeline.Launch rerun = RetrainPipeline.prepare(options(registry, input), services);
    assertTrue(rerun.isDone(), "the unchanged table is the same slice");
    assertEquals(first.run(), rerun.alreadyDone().run());

    table(1_700_000_360_000L, 344, null); // e.g. a MERGE that changed some rows
    RetrainPipeline.Launch changed = RetrainPipeline.prepare(options(registry, input), services);
    assertFalse(changed.isDone(), "a modified table is new data");
    assertNotEquals(first.run(), changed.run().id());

    table(1_700_000_000_000L, 344, null);
    RetrainPipeline.Launch restricted = RetrainPipeline.prepare(
        options(registry, input, "--rowRestriction=island = 'Biscoe'"), services);
    assertFalse(restricted.isDone(), "another --rowRestriction is another slice");
    assertTrue(Files.isDirectory(registry.resolve(ModelRegistry.RUNS).resolve(first.run())));
  }

  @Test
  void whatCannotBeIdentifiedIsRefusedNamingTheFlag() throws Exception {
    FakeBigQueryServices services = services();
    Path registry = tmp.resolve("models");

    table(1_700_000_000_000L, 344, new Streamingbuffer().setEstimatedRows(BigInteger.TEN));
    UsageException streaming = assertThrows(UsageException.class, () -> RetrainPipeline.prepare(
        options(registry, "--input=bq://proj.ds.slice"), services));
    assertTrue(streaming.getMessage().startsWith(
        "--input=bq://proj.ds.slice: rows are still being streamed into it"), streaming.getMessage());

    table(null, 344, null);
    UsageException unknown = assertThrows(UsageException.class, () -> RetrainPipeline.prepare(
        options(registry, "--input=bq://proj.ds.slice"), services));
    assertTrue(unknown.getMessage().startsWith("--input=bq://proj.ds.slice: the table without a"
        + " modification time"), unknown.getMessage());

    UsageException query = assertThrows(UsageException.class, () -> RetrainPipeline.prepare(
        options(registry, "--query=SELECT * FROM ds.slice"), services));
    assertTrue(query.getMessage().startsWith("--query: retrain cannot identify a query's result"),
        query.getMessage());
    assertFalse(Files.exists(registry.resolve(ModelRegistry.RUNS)), "nothing written");
  }
}
