package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The table of trials, best first: rank, trial, status, the metric, the other metrics at the best
 * step, each searched hyperparameter, steps, best step and training time; under it, why trials
 * failed, diverged or stopped. Every header cell has {@code data-type} ({@code number} or {@code text})
 * and every body cell a {@code data-sort} key (empty for a missing value), which the page's
 * script sorts by; hyperparameters shared by all trials are listed once above the table.
 */
final class TrialsTable {
  private TrialsTable() {}

  /** A column: header text, type, tooltip, and the cell of a trial. */
  private record Column(String key, String header, boolean numeric, String tooltip, String firstSort) {}

  /** A cell: what is shown and the sort key. */
  private record Cell(String shown, String sortKey, String cssClass) {}

  static String render(SweepSnapshot snapshot, ParamColumns params, TrialColors colors) {
    String metric = snapshot.metric().name();
    List<TrialRecord> ranked = snapshot.ranked();
    Map<String, Integer> ranks = snapshot.ranks();
    Set<String> otherMetrics = new LinkedHashSet<>();
    ranked.forEach(t -> otherMetrics.addAll(t.metrics().keySet()));
    otherMetrics.remove(metric);

    List<Column> columns = new ArrayList<>();
    columns.add(new Column("rank", "#", true, "rank by " + metric, "ascending"));
    columns.add(new Column("trial", "trial", false, null, "ascending"));
    columns.add(new Column("status", "status", false, null, "ascending"));
    String better = snapshot.metric().goal() == Goal.MAXIMIZE ? "descending" : "ascending";
    columns.add(new Column("metric:" + metric, metric,
        true, metric + " at the best step; " + (better.equals("descending") ? "higher" : "lower") + " is better",
        better));
    for (String other : otherMetrics) {
      columns.add(new Column("metric:" + other, other, true, other + " at the best step", "ascending"));
    }
    for (String name : params.varying()) {
      columns.add(new Column("param:" + name, name, ParamColumns.isNumeric(ranked, name), "hyperparameter", "ascending"));
    }
    columns.add(new Column("steps", "steps", true, "training steps run", "descending"));
    columns.add(new Column("best_step", "best step", true, "step of the best evaluation", "ascending"));
    columns.add(new Column("time", "time", true, "training time", "ascending"));

    StringBuilder html = new StringBuilder();
    if (!params.constant().isEmpty()) {
      html.append("<p class=\"fixed\">Same in every trial: ");
      html.append(params.constant().entrySet().stream()
          .map(e -> "<code>" + Html.escape(e.getKey()) + "=" + Html.escape(Format.value(e.getValue())) + "</code>")
          .collect(Collectors.joining(" ")));
      html.append("</p>");
    }
    html.append("<div class=\"table-wrap\"><table id=\"trials\" class=\"trials\"><thead><tr>");
    for (Column column : columns) {
      html.append("<th scope=\"col\" data-col=\"").append(Html.escape(column.key()))
          .append("\" data-type=\"").append(column.numeric() ? "number" : "text")
          .append("\" data-first=\"").append(column.firstSort())
          .append("\" aria-sort=\"").append(column.key().equals("rank") ? "ascending" : "none").append('"');
      if (column.tooltip() != null) {
        html.append(" title=\"").append(Html.escape(column.tooltip())).append('"');
      }
      html.append("><button type=\"button\">").append(Html.escape(column.header())).append("</button></th>");
    }
    html.append("</tr></thead><tbody>");
    for (TrialRecord trial : ranked) {
      boolean isBest = trial.trial().equals(snapshot.bestTrial());
      html.append("<tr data-trial=\"").append(Html.escape(trial.trial())).append('"')
          .append(isBest ? " class=\"best\"" : "").append('>');
      for (Column column : columns) {
        Cell cell = cell(column, trial, ranks, colors, isBest);
        html.append("<td data-sort=\"").append(Html.escape(cell.sortKey())).append('"');
        if (cell.cssClass() != null) {
          html.append(" class=\"").append(cell.cssClass()).append('"');
        }
        html.append('>').append(cell.shown()).append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</tbody></table></div>");
    notes(html, ranked);
    return html.toString();
  }

  /** Why trials failed, diverged or stopped, one line each, under the table (long texts wrap). */
  private static void notes(StringBuilder html, List<TrialRecord> trials) {
    List<TrialRecord> noted = trials.stream().filter(t -> note(t) != null).toList();
    if (noted.isEmpty()) {
      return;
    }
    html.append("<ul class=\"notes\">");
    for (TrialRecord trial : noted) {
      html.append("<li data-trial=\"").append(Html.escape(trial.trial())).append("\"><span class=\"status ")
          .append(statusClass(trial.status())).append("\">").append(Html.escape(trial.status()))
          .append("</span> <strong>").append(Html.escape(trial.trial())).append("</strong>: ")
          .append(Html.escape(note(trial))).append("</li>");
    }
    html.append("</ul>");
  }

  /** The error of a failed trial, else the reason it ended early, else null. */
  static String note(TrialRecord trial) {
    return trial.error() != null ? trial.error() : trial.reason();
  }

  /** The cell of {@code trial} in {@code column}; {@code shown} is already escaped HTML. */
  private static Cell cell(
      Column column, TrialRecord trial, Map<String, Integer> ranks, TrialColors colors, boolean isBest) {
    String key = column.key();
    if (key.equals("rank")) {
      Integer rank = ranks.get(trial.trial());
      return rank == null
          ? new Cell(Format.MISSING, "", "num")
          : new Cell(rank.toString(), rank.toString(), "num");
    }
    if (key.equals("trial")) {
      String swatch = "<span class=\"swatch\" style=\"background:"
          + (isBest ? TrialColors.BEST : colors.of(trial.trial())) + "\"></span>";
      return new Cell(swatch + Html.escape(trial.trial()), trial.trial(), "trial");
    }
    if (key.equals("status")) {
      String note = note(trial);
      String title = note == null ? "" : " title=\"" + Html.escape(note) + "\"";
      return new Cell("<span class=\"status " + statusClass(trial.status()) + "\"" + title + ">"
          + Html.escape(trial.status()) + "</span>", trial.status(), null);
    }
    if (key.startsWith("metric:")) {
      double v = trial.metric(key.substring("metric:".length()));
      return new Cell(Html.escape(Format.number(v)), Format.sortKey(v), "num");
    }
    if (key.startsWith("param:")) {
      Object value = trial.params().get(key.substring("param:".length()));
      String sortKey = value instanceof Number n ? Format.sortKey(n.doubleValue()) : Format.value(value);
      String shown = value == null ? Format.MISSING : Format.value(value);
      return new Cell(Html.escape(shown), sortKey, column.numeric() ? "num" : null);
    }
    if (key.equals("steps")) {
      return longCell(trial.steps());
    }
    if (key.equals("best_step")) {
      return longCell(trial.bestStep());
    }
    Double s = trial.elapsedSeconds();
    return new Cell(Html.escape(Format.duration(s)), s == null ? "" : Format.sortKey(s), "num");
  }

  private static Cell longCell(Long value) {
    return value == null
        ? new Cell(Format.MISSING, "", "num")
        : new Cell(value.toString(), value.toString(), "num");
  }

  /** A CSS class for a status; unknown statuses get a neutral one. */
  static String statusClass(String status) {
    return switch (status) {
      case "COMPLETED" -> "completed";
      case "STOPPED" -> "stopped";
      case "DIVERGED" -> "diverged";
      case "FAILED" -> "failed";
      case "RUNNING" -> "running";
      default -> "other";
    };
  }
}
