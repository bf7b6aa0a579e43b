package io.beamtrain.checkpointing;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names of one checkpoint {@code <name>} (e.g. {@code model.ckpt-200}) in its directory:
 * TensorFlow's {@code .index} and {@code .data-00000-of-00001}, the {@code .meta} MetaGraphDef, and
 * our {@code .metrics.json} sidecar.
 */
final class CheckpointFiles {
  static final String INDEX = ".index";
  static final String META = ".meta";
  static final String METRICS = ".metrics.json";
  static final String SINGLE_DATA_SHARD = ".data-00000-of-00001";

  private static final Pattern FILE =
      Pattern.compile("(?<name>.+-(?<step>\\d{1,18}))(?<suffix>\\.index|\\.meta|\\.metrics\\.json"
          + "|\\.data-(?<shard>\\d{5})-of-(?<shards>\\d{5}))");
  private static final Pattern NAME = Pattern.compile(".*-(\\d{1,18})");

  private CheckpointFiles() {}

  /** {@code <basename>-<step>}. */
  static String name(String basename, long step) {
    return basename + "-" + step;
  }

  /** The step at the end of a checkpoint name ({@code model.ckpt-200} -> 200), if it has one. */
  static Optional<Long> stepOf(String name) {
    Matcher m = NAME.matcher(name);
    return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  /**
   * Files of a checkpoint in the order they are deleted: the index first, so a checkpoint whose
   * deletion was interrupted is recognisably incomplete; the sidecar last, so the leftovers are
   * still recognisably ours.
   */
  static List<String> deletionOrder(List<String> present, String name) {
    List<String> order = new java.util.ArrayList<>();
    if (present.contains(name + INDEX)) {
      order.add(name + INDEX);
    }
    present.stream().filter(f -> f.startsWith(name + ".data-")).sorted().forEach(order::add);
    if (present.contains(name + META)) {
      order.add(name + META);
    }
    if (present.contains(name + METRICS)) {
      order.add(name + METRICS);
    }
    return order;
  }

  /** A file name split into its checkpoint name and kind, when it is a checkpoint file. */
  record Parsed(String checkpointName, long step, String suffix, int shard, int shards) {
    boolean isData() {
      return suffix.startsWith(".data-");
    }
  }

  static Optional<Parsed> parse(String fileName) {
    Matcher m = FILE.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    boolean data = m.group("shard") != null;
    return Optional.of(
        new Parsed(
            m.group("name"),
            Long.parseLong(m.group("step")),
            m.group("suffix"),
            data ? Integer.parseInt(m.group("shard")) : -1,
            data ? Integer.parseInt(m.group("shards")) : -1));
  }
}
