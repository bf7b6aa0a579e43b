package io.beamtrain.pipelines.retrain;

import io.beamtrain.pipelines.testing.PenguinsData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Slices of the bundled penguins data for retrain tests: the rows in a seeded random order (the
 * file is sorted by species and island, and every slice needs every class and category), cut
 * into parts, optionally with the labels shuffled among the rows.
 */
final class RetrainSlices {
  private final String header;
  private final List<String> rows;

  private RetrainSlices(String header, List<String> rows) {
    this.header = header;
    this.rows = rows;
  }

  static RetrainSlices penguins(long seed) {
    List<String> lines = new ArrayList<>(PenguinsData.csv().lines().filter(l -> !l.isBlank()).toList());
    String header = lines.remove(0);
    Collections.shuffle(lines, new Random(seed));
    return new RetrainSlices(header, lines);
  }

  /** Rows {@code [from, to)} as a CSV file's text. */
  String csv(int from, int to) {
    return header + "\n" + String.join("\n", rows.subList(from, to)) + "\n";
  }

  int size() {
    return rows.size();
  }

  /** All rows with the label column's values permuted among them (the label carries no signal). */
  String csvWithShuffledLabels(long seed) {
    List<String> names = List.of(header.split(","));
    int label = names.indexOf(PenguinsData.LABEL);
    List<String[]> cells = rows.stream().map(r -> r.split(",", -1)).toList();
    List<String> labels = new ArrayList<>(cells.stream().map(c -> c[label]).toList());
    Collections.shuffle(labels, new Random(seed));
    StringBuilder out = new StringBuilder(header).append('\n');
    for (int i = 0; i < cells.size(); i++) {
      String[] c = cells.get(i).clone();
      c[label] = labels.get(i);
      out.append(String.join(",", c)).append('\n');
    }
    return out.toString();
  }

  String headerOnly() {
    return header + "\n";
  }
}
