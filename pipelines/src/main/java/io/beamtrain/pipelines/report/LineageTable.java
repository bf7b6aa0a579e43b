package io.beamtrain.pipelines.report;

import java.util.Map;
import java.util.Objects;

/**
 * Population-based training's exploits, one row each, best trial first and oldest exploit first:
 * trial, step, donor and the hyperparameters that changed ({@code old -> new}), under a {@link
 * LineageChart} of the population. Empty (no HTML)
 * when no trial has a lineage, so other studies' reports are unchanged.
 */
final class LineageTable {
  private LineageTable() {}

  static String render(SweepSnapshot snapshot, TrialColors colors) {
    StringBuilder rows = new StringBuilder();
    for (TrialRecord trial : snapshot.ranked()) {
      for (TrialRecord.Exploit e : trial.lineage()) {
        rows.append("<tr><td>").append(Html.escape(trial.trial())).append("</td><td class=\"num\">")
            .append(e.step()).append("</td><td>").append(Html.escape(e.donor())).append("</td><td>")
            .append(Html.escape(changes(e))).append("</td></tr>");
      }
    }
    if (rows.isEmpty()) {
      return "";
    }
    return "<h2 id=\"lineage\">Lineage</h2><p>Population-based training: at each step a trial took a copy of"
        + " the donor's checkpoint and the donor's hyperparameters, perturbed. Arrows go from the donor to"
        + " the trial that took its checkpoint; tracks end at the steps a trial trained, coloured by its"
        + " result.</p>" + LineageChart.render(snapshot, colors)
        + "<div class=\"table-wrap\"><table class=\"lineage\"><thead><tr><th>trial</th><th>step</th><th>donor</th>"
        + "<th>hyperparameters (before \u2192 after)</th></tr></thead><tbody>" + rows + "</tbody></table></div>";
  }

  /** The hyperparameters an exploit changed, {@code name old -> new}, or "unchanged". */
  static String changes(TrialRecord.Exploit e) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Object> after : e.after().entrySet()) {
      Object before = e.before().get(after.getKey());
      if (!Objects.equals(String.valueOf(before), String.valueOf(after.getValue()))) {
        if (!text.isEmpty()) {
          text.append(", ");
        }
        text.append(after.getKey()).append(' ').append(Format.value(before)).append(" \u2192 ")
            .append(Format.value(after.getValue()));
      }
    }
    return text.isEmpty() ? "unchanged" : text.toString();
  }
}
