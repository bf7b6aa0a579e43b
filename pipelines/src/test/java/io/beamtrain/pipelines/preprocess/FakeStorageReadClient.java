package io.beamtrain.pipelines.preprocess;

import com.google.cloud.bigquery.storage.v1.AvroRows;
import com.google.cloud.bigquery.storage.v1.AvroSchema;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamRequest;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamResponse;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices.FakeBigQueryServerStream;

/**
 * A Storage Read API server in memory, for {@code FakeBigQueryServices.withStorageClient}: a read
 * session over one table's rows (Avro, as BigQuery sends them), projected to the session's
 * selected fields, dealt over {@code streams} streams. Records every session request so a test
 * can check the projection and row restriction BigQueryIO asked for. Serializable (BigQueryIO
 * ships its services to the workers); state lives in a static registry keyed by an id.
 */
public final class FakeStorageReadClient implements BigQueryServices.StorageClient, Serializable {
  private static final Map<String, List<GenericRecord>> ROWS = new ConcurrentHashMap<>();
  private static final Map<String, List<CreateReadSessionRequest>> REQUESTS =
      new ConcurrentHashMap<>();

  private final String id;
  private final String schemaJson;
  private final int streams;

  /** A server of {@code rows} (of {@code schema}, BigQuery's Avro form of the table). */
  public FakeStorageReadClient(String id, Schema schema, List<GenericRecord> rows, int streams) {
    this.id = id;
    this.schemaJson = schema.toString();
    this.streams = streams;
    ROWS.put(id, List.copyOf(rows));
    REQUESTS.put(id, new CopyOnWriteArrayList<>());
  }

  /** The session requests received so far. */
  public List<CreateReadSessionRequest> requests() {
    return REQUESTS.get(id);
  }

  private Schema projected(List<String> selected) {
    Schema full = new Schema.Parser().parse(schemaJson);
    if (selected.isEmpty()) {
      return full;
    }
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : full.getFields()) {
      if (selected.contains(field.name())) {
        fields.add(new Schema.Field(field, field.schema()));
      }
    }
    return Schema.createRecord(full.getName(), null, full.getNamespace(), false, fields);
  }

  @Override
  public ReadSession createReadSession(CreateReadSessionRequest request) {
    requests().add(request);
    List<String> selected = request.getReadSession().getReadOptions().getSelectedFieldsList();
    ReadSession.Builder session = ReadSession.newBuilder()
        .setName("sessions/" + id)
        .setDataFormat(DataFormat.AVRO)
        .setTable(request.getReadSession().getTable())
        .setReadOptions(request.getReadSession().getReadOptions())
        .setAvroSchema(AvroSchema.newBuilder().setSchema(projected(selected).toString()));
    for (int s = 0; s < streams; s++) {
      session.addStreams(ReadStream.newBuilder()
          .setName("sessions/" + id + "/streams/" + s + "/" + String.join(",", selected)));
    }
    return session.build();
  }

  @Override
  public BigQueryServices.BigQueryServerStream<ReadRowsResponse> readRows(
      ReadRowsRequest request) {
    String[] parts = request.getReadStream().split("/");
    int stream = Integer.parseInt(parts[3]);
    List<String> selected = parts.length > 4 && !parts[4].isEmpty()
        ? List.of(parts[4].split(",")) : List.of();
    Schema schema = projected(selected);
    List<GenericRecord> rows = ROWS.get(id);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    long count = 0;
    try {
      for (int i = stream; i < rows.size(); i += streams) {
        GenericRecord row = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          row.put(field.name(), rows.get(i).get(field.name()));
        }
        writer.write(row, encoder);
        count++;
      }
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FakeBigQueryServerStream<>(List.of(ReadRowsResponse.newBuilder()
        .setAvroRows(AvroRows.newBuilder().setSerializedBinaryRows(
            ByteString.copyFrom(bytes.toByteArray())))
        .setRowCount(count)
        .build()));
  }

  @Override
  public BigQueryServices.BigQueryServerStream<ReadRowsResponse> readRows(
      ReadRowsRequest request, String fullTableId) {
    return readRows(request);
  }

  @Override
  public SplitReadStreamResponse splitReadStream(SplitReadStreamRequest request) {
    return SplitReadStreamResponse.getDefaultInstance();
  }

  @Override
  public SplitReadStreamResponse splitReadStream(
      SplitReadStreamRequest request, String fullTableId) {
    return splitReadStream(request);
  }

  @Override
  public void close() {}
}
