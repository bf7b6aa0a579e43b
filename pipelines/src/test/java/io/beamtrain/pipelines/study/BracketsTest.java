package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BracketsTest {

  @Test
  void successiveHalvingCutsByEtaAndEndsAtTheMaximumBudget() {
    Bracket bracket = Brackets.successiveHalving(10, 10, 90, 3).get(0);
    assertEquals(List.of(new Rung(0, 10, 10, 4), new Rung(1, 4, 30, 2), new Rung(2, 2, 90, 0)),
        bracket.rungs());
    assertEquals(10 * 10 + 4 * 20 + 2 * 60, bracket.stepBudget());
  }

  @Test
  void hyperbandBracketsFollowLiEtAl() {
    // R = 81, eta = 3: s_max = 4; brackets start 81, 34, 15, 8, 5 trials at budgets 1, 3, 9, 27, 81.
    List<Bracket> plan = Brackets.hyperband(1, 81, 3, 5);
    assertEquals(List.of(81, 34, 15, 8, 5), plan.stream().map(Bracket::trials).toList());
    assertEquals(List.of(1, 3, 9, 27, 81),
        plan.stream().map(b -> b.rungs().get(0).budget()).toList());
    assertEquals(List.of(0, 81, 115, 130, 138), plan.stream().map(Bracket::firstTrial).toList());
    plan.forEach(b -> assertEquals(81, b.rungs().get(b.rungs().size() - 1).budget()));
    assertEquals(List.of(81, 27, 9, 3, 1), plan.get(0).rungs().stream().map(Rung::trials).toList());
  }

  @Test
  void tooManyBracketsIsAnErrorNamingTheLimit() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Brackets.hyperband(10, 90, 3, 4));
    assertEquals("brackets must be between 1 and 3 for eta 3, budgets 10..90; was 4", e.getMessage());
  }
}
