package io.beamtrain.pipelines.retrain;

import io.beamtrain.pipelines.preprocess.ParsedRow;
import io.beamtrain.pipelines.preprocess.RowFingerprint;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Slices of the bundled penguins data for retrain tests: the rows in a seeded random order (the
 * file is sorted by species and island, and every slice needs every class and category), cut
 * into parts, optionally with noise for labels in the training split.
 */
public final class RetrainSlices {
  private final String header;
  private final List<String> rows;

  private RetrainSlices(String header, List<String> rows) {
    this.header = header;
    this.rows = rows;
  }

  public static RetrainSlices penguins(long seed) {
    List<String> lines = new ArrayList<>(PenguinsData.csv().lines().filter(l -> !l.isBlank()).toList());
    String header = lines.remove(0);
    Collections.shuffle(lines, new Random(seed));
    return new RetrainSlices(header, lines);
  }

  /** Rows {@code [from, to)} as a CSV file's text. */
  public String csv(int from, int to) {
    return header + "\n" + String.join("\n", rows.subList(from, to)) + "\n";
  }

  public int size() {
    return rows.size();
  }

  /**
   * All rows, those that preprocessing puts in the train split with labels drawn at random (the
   * label carries no signal there), those it puts in the eval split unchanged. The split is the
   * real one ({@link RowFingerprint} of each row's cells, as {@code SplitExamples} computes it),
   * so a challenger trained on noise is compared with the champion on true labels.
   */
  public String csvWithRandomTrainLabels(long seed, double evalFraction, long splitSeed) {
    List<String> names = List.of(header.split(","));
    int label = names.indexOf(PenguinsData.LABEL);
    List<String[]> cells = rows.stream().map(r -> r.split(",", -1)).toList();
    List<String> classes = cells.stream().map(c -> c[label]).distinct().sorted().toList();
    RowFingerprint fingerprint = new RowFingerprint(splitSeed);
    Random random = new Random(seed);
    StringBuilder out = new StringBuilder(header).append('\n');
    for (String[] row : cells) {
      String[] written = row;
      if (!isEval(fingerprint, row, evalFraction)) {
        List<String> candidates = new ArrayList<>(classes);
        Collections.shuffle(candidates, random);
        for (String candidate : candidates) {
          String[] relabelled = row.clone();
          relabelled[label] = candidate;
          // A new label changes the fingerprint: keep only labels that leave the row in train.
          if (!isEval(fingerprint, relabelled, evalFraction)) {
            written = relabelled;
            break;
          }
        }
      }
      out.append(String.join(",", written)).append('\n');
    }
    return out.toString();
  }

  private static boolean isEval(RowFingerprint fingerprint, String[] cells, double evalFraction) {
    return RowFingerprint.toUnitInterval(fingerprint.of(ParsedRow.wrap(cells.clone()))) < evalFraction;
  }

  public String headerOnly() {
    return header + "\n";
  }
}
