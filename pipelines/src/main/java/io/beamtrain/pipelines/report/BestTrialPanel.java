package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.Map;

/**
 * The winner's summary: its id, metric value and step, hyperparameters, and where its exports are
 * ({@code best/saved_model}, {@code best/model.meta}, the source checkpoint), each marked written
 * or not yet. While the sweep runs (no best.json) it shows the best trial so far instead.
 */
final class BestTrialPanel {
  private BestTrialPanel() {}

  static String render(SweepSnapshot snapshot) {
    StringBuilder html = new StringBuilder("<section class=\"card best-card\" id=\"best\">");
    if (snapshot.best().isEmpty()) {
      html.append("<h2>Best trial</h2><p class=\"empty\">No trial has a value of <code>")
          .append(Html.escape(snapshot.metric().name())).append("</code> yet.</p></section>");
      return html.toString();
    }
    BestRecord best = snapshot.best().get();
    html.append("<h2>").append(best.exported() ? "Best trial" : "Best so far").append("</h2>");
    html.append("<p class=\"best-id\" data-trial=\"").append(Html.escape(best.trial())).append("\">")
        .append("<span class=\"swatch\" style=\"background:").append(TrialColors.BEST).append("\"></span>")
        .append(Html.escape(best.trial())).append("</p>");
    html.append("<p class=\"best-value\"><strong>").append(Html.escape(Format.number(best.value())))
        .append("</strong><br>").append(Html.escape(best.metricName()))
        .append(best.goal() == Goal.MAXIMIZE ? " \u2191" : " \u2193");
    if (best.step() != null) {
      html.append(" at step ").append(best.step());
    }
    html.append("</p>");
    if (!best.params().isEmpty()) {
      html.append("<table class=\"kv\"><tbody>");
      for (Map.Entry<String, Object> param : best.params().entrySet()) {
        html.append("<tr><th scope=\"row\">").append(Html.escape(param.getKey())).append("</th><td>")
            .append(Html.escape(Format.value(param.getValue()))).append("</td></tr>");
      }
      html.append("</tbody></table>");
    }
    html.append("<h3>Exports</h3><ul class=\"paths\">");
    for (SweepSnapshot.ExportPath export : snapshot.exports()) {
      html.append("<li><span class=\"label\">").append(Html.escape(export.label()))
          .append("</span> <span class=\"badge ").append(export.exists() ? "ok\">written" : "pending\">not yet")
          .append("</span><code>").append(Html.escape(export.path())).append("</code></li>");
    }
    if (best.checkpoint() != null) {
      html.append("<li><span class=\"label\">source checkpoint</span><code>")
          .append(Html.escape(best.checkpoint())).append("</code></li>");
    }
    html.append("</ul></section>");
    return html.toString();
  }
}
