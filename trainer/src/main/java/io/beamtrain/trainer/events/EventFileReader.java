package io.beamtrain.trainer.events;

import com.google.protobuf.InvalidProtocolBufferException;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TfRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Reads TensorBoard event files back (CRCs verified), for tests and reports. Stateless and
 * thread-safe.
 */
public final class EventFileReader {
  private EventFileReader() {}

  /** Every Event of the file, in order. */
  public static List<Event> readAll(String path, StorageConfig config) {
    List<Event> events = new ArrayList<>();
    List<byte[]> records = TfRecords.readAll(path, config);
    for (int i = 0; i < records.size(); i++) {
      try {
        events.add(Event.parseFrom(records.get(i)));
      } catch (InvalidProtocolBufferException e) {
        throw new BadInputException(path + ": record " + i + ": not an Event: " + e.getMessage(), e);
      }
    }
    return events;
  }

  /** The simple_value scalars of the file: tag -> (step -> value), in file order per tag. */
  public static Map<String, TreeMap<Long, Float>> scalars(String path, StorageConfig config) {
    Map<String, TreeMap<Long, Float>> out = new LinkedHashMap<>();
    for (Event event : readAll(path, config)) {
      for (Summary.Value value : event.getSummary().getValueList()) {
        if (value.hasSimpleValue()) {
          out.computeIfAbsent(value.getTag(), t -> new TreeMap<>())
              .put(event.getStep(), value.getSimpleValue());
        }
      }
    }
    return out;
  }
}
