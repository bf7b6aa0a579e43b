package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as plain text for terminals and CI logs ({@code beamtrain report --format=table}): one
 * row per trial, best first (rank, trial, status, the metric, steps, each searched parameter), the
 * columns padded to line up, then the parameters' importance. Stateless.
 */
public final class TrialsText {
  private TrialsText() {}

  /** The table of {@code snapshot}, lines ending in {@code \n}. */
  public static String render(SweepSnapshot snapshot) {
    ParamColumns params = ParamColumns.of(snapshot.trials(), snapshot.study().domains().keySet());
    String metric = snapshot.metric().name();
    Map<String, Integer> ranks = snapshot.ranks();
    List<String> header = new ArrayList<>(List.of("rank", "trial", "status", metric, "steps"));
    header.addAll(params.varying());
    List<List<String>> rows = new ArrayList<>();
    rows.add(header);
    for (TrialRecord trial : snapshot.ranked()) {
      List<String> row = new ArrayList<>();
      Integer rank = ranks.get(trial.trial());
      row.add(rank == null ? "-" : rank.toString());
      row.add(trial.trial());
      row.add(trial.status());
      row.add(Double.isFinite(trial.metric(metric)) ? Format.number(trial.metric(metric)) : "-");
      row.add(trial.steps() == null ? "-" : trial.steps().toString());
      for (String name : params.varying()) {
        Object value = trial.params().get(name);
        row.add(value == null ? "-" : Format.value(value));
      }
      rows.add(row);
    }
    int[] widths = new int[header.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(snapshot.outputDir()).append(": ").append(snapshot.trials().size()).append(" trials, ")
        .append(metric).append(' ').append(snapshot.metric().goal().name().toLowerCase(Locale.ROOT))
        .append("d\n");
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          line.append("  ");
        }
        line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row.get(i)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    Map<String, Double> importance = ParamImportance.of(snapshot, params);
    if (!importance.isEmpty()) {
      List<String> shares = new ArrayList<>();
      importance.forEach((name, share) -> shares.add(String.format(Locale.ROOT, "%s %.1f%%", name, 100 * share)));
      out.append("importance (PED-ANOVA): ").append(String.join(", ", shares)).append('\n');
    }
    return out.toString();
  }
}
