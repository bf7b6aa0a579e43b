package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DenseData#inCanonicalOrder()}: the same rows in any order give the same arrays. */
class DenseDataTest {
  static final int WIDTH = 3;

  /** Rows with ties in the first columns, so the comparison has to look past them. */
  static List<float[]> rows(int n, long seed) {
    Random random = new Random(seed);
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new float[] {random.nextInt(2), random.nextInt(3), random.nextFloat() - 0.5f, random.nextInt(4)});
    }
    return rows;
  }

  static DenseData classification(List<float[]> rows) {
    float[] features = new float[rows.size() * WIDTH];
    int[] classIds = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, features, i * WIDTH, WIDTH);
      classIds[i] = (int) rows.get(i)[WIDTH];
    }
    return new DenseData(rows.size(), WIDTH, features, classIds, null);
  }

  static DenseData regression(List<float[]> rows) {
    float[] features = new float[rows.size() * WIDTH];
    float[] targets = new float[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, features, i * WIDTH, WIDTH);
      targets[i] = rows.get(i)[WIDTH] * 1.5f;
    }
    return new DenseData(rows.size(), WIDTH, features, null, targets);
  }

  @Test
  void anyOrderOfTheSameRowsGivesTheSameData() {
    List<float[]> rows = rows(500, 1);
    List<float[]> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(2));
    DenseData a = classification(rows).inCanonicalOrder();
    DenseData b = classification(shuffled).inCanonicalOrder();
    assertNotEquals(Arrays.toString(classification(rows).features()),
        Arrays.toString(classification(shuffled).features()), "the inputs differ in order");
    assertArrayEquals(a.features(), b.features());
    assertArrayEquals(a.classIds(), b.classIds());

    DenseData r1 = regression(rows).inCanonicalOrder();
    DenseData r2 = regression(shuffled).inCanonicalOrder();
    assertArrayEquals(r1.features(), r2.features());
    assertArrayEquals(r1.targets(), r2.targets());
  }

  @Test
  void rowsKeepTheirLabelsAndNothingIsLostOrAdded() {
    List<float[]> rows = rows(200, 3);
    DenseData sorted = classification(rows).inCanonicalOrder();
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      before.add(Arrays.toString(rows.get(i)));
      float[] row = new float[WIDTH + 1];
      sorted.copyRow(i, row, 0);
      row[WIDTH] = sorted.classIds()[i];
      after.add(Arrays.toString(row));
    }
    Collections.sort(before);
    Collections.sort(after);
    assertEquals(before, after);
  }
}
