package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens generated reports in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, which {@code .ci/run} installs) and checks what a user would: the page loads
 * with no console error (so the Content-Security-Policy blocked no fetch and the script ran
 * clean), a header click sorts the table, both plots have one line per trial, and hostile
 * parameter values stay text. Skipped only where {@code /usr/bin/chromedriver} is absent. Writes
 * a full-page screenshot of a 12-trial report to {@code target/report-browser/}.
 */
class ReportBrowserTest {
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path ARTIFACTS = Path.of("target", "report-browser");

  /** Selenium warns through java.util.logging that it has no DevTools binding for this Chromium
   * version; the tests use none, so only real problems are shown. Held so it is not collected. */
  static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

  static ChromeDriver driver;

  /** Chromium's profile: its own, so nothing of the machine's is read or left behind. */
  @TempDir static Path profile;

  @TempDir Path dir;

  @BeforeAll
  static void startBrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMEDRIVER), "no " + CHROMEDRIVER + " (apt-get install chromium-driver)");
    SELENIUM_LOG.setLevel(Level.SEVERE);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1440,900",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    // An explicit driver executable, so Selenium Manager never looks for (or downloads) one.
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  private void open(String reportPath) {
    driver.get(Path.of(reportPath).toUri().toString());
  }

  private static List<String> severeLogs() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .collect(Collectors.toList());
  }

  private static List<String> column(String key) {
    int index = headerIndex(key);
    return driver.findElements(By.cssSelector("#trials tbody tr")).stream()
        .map(row -> row.findElements(By.tagName("td")).get(index).getAttribute("data-sort"))
        .collect(Collectors.toList());
  }

  private static int headerIndex(String key) {
    List<WebElement> headers = driver.findElements(By.cssSelector("#trials thead th"));
    for (int i = 0; i < headers.size(); i++) {
      if (key.equals(headers.get(i).getAttribute("data-col"))) {
        return i;
      }
    }
    throw new AssertionError("no column " + key);
  }

  private static void clickHeader(String key) {
    driver.findElement(By.cssSelector("#trials thead th[data-col='" + key + "'] button")).click();
  }

  @Test
  void twelveTrialReportLoadsCleanSortsAndPlotsEveryTrial() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    String report = SweepReport.write(dir.toString(), StorageConfig.defaults());
    open(report);

    assertEquals(List.of(), severeLogs(), "console errors");
    screenshot("report-12-trials.png");
    assertEquals(12, driver.findElements(By.cssSelector("#trials tbody tr")).size());
    // Learning curves: every trial with history (all but the failed one); the best drawn once.
    assertEquals(11, driver.findElements(By.cssSelector("#curves path.curve")).size());
    assertEquals(1, driver.findElements(By.cssSelector("#curves path.curve.best")).size());
    assertEquals(12, driver.findElements(By.cssSelector("#parallel path.pc-line")).size());
    // A rendered curve has geometry (it is not an empty or broken path).
    WebElement bestCurve = driver.findElement(By.cssSelector("#curves path.curve.best"));
    Number length =
        (Number) ((JavascriptExecutor) driver).executeScript("return arguments[0].getTotalLength();", bestCurve);
    assertTrue(length.doubleValue() > 100, "best curve length " + length);

    // Default order: rank 1..11, the failed trial (no rank) last.
    List<String> trials = column("trial");
    assertEquals(fixture.best().trial(), trials.get(0));
    assertEquals(SweepOutputFixture.trialId(SweepOutputFixture.FAILED), trials.get(11));

    // Sorting by learning rate: first click ascending, second descending.
    clickHeader("param:learning_rate");
    List<Double> ascending = column("param:learning_rate").stream().map(Double::valueOf).toList();
    assertEquals(ascending.stream().sorted().toList(), ascending);
    assertEquals("ascending",
        driver.findElement(By.cssSelector("th[data-col='param:learning_rate']")).getAttribute("aria-sort"));
    clickHeader("param:learning_rate");
    List<Double> descending = column("param:learning_rate").stream().map(Double::valueOf).toList();
    assertEquals(ascending.stream().sorted(java.util.Comparator.reverseOrder()).toList(), descending);
    assertNotEquals(trials, column("trial"));

    // Text column: statuses grouped alphabetically.
    clickHeader("status");
    List<String> statuses = column("status");
    assertEquals(statuses.stream().sorted().toList(), statuses);

    // Metric column: first click puts the best first (eval_accuracy is maximized); the failed
    // trial's missing value stays last either way.
    clickHeader("metric:eval_accuracy");
    List<String> accuracy = column("metric:eval_accuracy");
    assertEquals(fixture.best().trial(), column("trial").get(0));
    assertEquals("", accuracy.get(11));
    clickHeader("metric:eval_accuracy");
    assertEquals("", column("metric:eval_accuracy").get(11));

    // Hovering a table row highlights that trial's lines in both plots.
    String third = column("trial").get(2);
    new Actions(driver).moveToElement(driver.findElements(By.cssSelector("#trials tbody tr")).get(2)).perform();
    List<WebElement> focused = driver.findElements(By.cssSelector("path.focus"));
    assertEquals(2, focused.size(), "one curve and one parallel-coordinates line");
    focused.forEach(p -> assertEquals(third, p.getAttribute("data-trial")));
    assertTrue(driver.findElement(By.id("report")).getAttribute("class").contains("focusing"));

    assertEquals(List.of(), severeLogs(), "console errors after interaction");
    screenshot("report-12-trials-hover.png");
  }

  @Test
  void runningSweepRankedByLossLoadsClean() throws Exception {
    SweepOutputFixture.running(dir, 30);
    String report =
        SweepReport.write(
            dir.toString(), StorageConfig.defaults(), MetricChoice.natural("eval_loss"), java.time.Clock.systemUTC());
    open(report);

    assertEquals(List.of(), severeLogs(), "console errors");
    assertEquals("Best so far", driver.findElement(By.cssSelector("#best h2")).getText());
    assertEquals(29, driver.findElements(By.cssSelector("#curves path.curve")).size());
    assertEquals(30, driver.findElements(By.cssSelector("#parallel path.pc-line")).size());
    // Minimized metric: its column's first click puts the lowest loss first.
    clickHeader("metric:eval_loss");
    List<Double> losses =
        column("metric:eval_loss").stream().filter(k -> !k.isEmpty()).map(Double::valueOf).toList();
    assertEquals(losses.stream().sorted().toList(), losses);
    screenshot("report-30-trials-running.png");
  }

  @Test
  void hostileValuesStayText() throws Exception {
    String payload = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
    SweepOutputFixture.finishedWith(dir, 4, Map.of("optimizer", payload, "note'\"<b>", "x"));
    String report = SweepReport.write(dir.toString(), StorageConfig.defaults());
    open(report);

    assertEquals(List.of(), severeLogs(), "console errors");
    assertTrue(driver.getTitle().startsWith("Sweep report"), driver.getTitle());
    assertEquals(1, driver.findElements(By.tagName("script")).size(), "only the report's own script");
    assertEquals(0, driver.findElements(By.tagName("img")).size());
    assertEquals(0, driver.findElements(By.tagName("b")).size());
    String cellText =
        driver.findElements(By.cssSelector("#trials tbody td")).stream()
            .map(WebElement::getText)
            .filter(t -> t.contains("onerror"))
            .findFirst()
            .orElseThrow();
    assertEquals(payload, cellText);

    // A hand-edited hash the page did not write breaks nothing (a fresh load: a new hash on the
    // same page would only scroll).
    driver.get("about:blank");
    driver.get(Path.of(report).toUri() + "#trial=%E0%A4%A&sort=%");
    assertEquals(List.of(), severeLogs(), "console errors with a malformed hash");
    clickHeader("trial");
    assertEquals("ascending", driver.findElement(By.cssSelector("th[data-col='trial']")).getAttribute("aria-sort"));
  }

  /** Centre of an element on the page, in CSS pixels (where the browser really drew it). */
  private static double[] centre(WebElement element) {
    @SuppressWarnings("unchecked")
    List<Number> xy = (List<Number>) ((JavascriptExecutor) driver).executeScript(
        "var r = arguments[0].getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];", element);
    return new double[] {xy.get(0).doubleValue(), xy.get(1).doubleValue()};
  }

  private static String tooltip(WebElement element) {
    return (String) ((JavascriptExecutor) driver).executeScript(
        "var t = arguments[0].querySelector('title'); return t ? t.textContent : null;", element);
  }

  /** Resources the page fetched (anything: images, scripts, fonts, data); a self-contained page has none. */
  private static long fetched() {
    return ((Number) ((JavascriptExecutor) driver).executeScript(
        "return performance.getEntriesByType('resource').length;")).longValue();
  }

  @Test
  void insightViewsPlotWhereTheDataSaysAndHoverShowsTheTrial() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir.resolve("random"), 16);
    fixture.writeTrialFiles(java.time.Instant.parse("2026-01-01T10:00:00Z"));
    io.beamtrain.pipelines.study.StudyObjectives objectives = new io.beamtrain.pipelines.study.StudyObjectives(
        List.of(new io.beamtrain.pipelines.study.Objective("eval_accuracy", io.beamtrain.checkpointing.Goal.MAXIMIZE),
            new io.beamtrain.pipelines.study.Objective("eval_loss", io.beamtrain.checkpointing.Goal.MINIMIZE)),
        List.of(new io.beamtrain.pipelines.study.OutcomeConstraint("eval_accuracy", 0.7, null)), "eval_accuracy");
    io.beamtrain.pipelines.sweep.ParetoFile.write(new io.beamtrain.pipelines.OutputLayout(fixture.dir.toString()),
        fixture.results, objectives, StorageConfig.defaults());
    SweepOutputFixture other = SweepOutputFixture.finished(dir.resolve("asha"), 6);
    other.writeTrialFiles(java.time.Instant.parse("2026-01-01T10:00:00Z"));
    SweepSnapshot snapshot = SweepReader.read(fixture.dir.toString(), StorageConfig.defaults(), null,
        java.time.Clock.systemUTC());
    String report = SweepReport.write(snapshot,
        new PageOptions(SweepReport.readCompared(List.of(other.dir.toString()), snapshot, StorageConfig.defaults(),
            java.time.Clock.systemUTC()), 0), StorageConfig.defaults());
    open(report);

    assertEquals(List.of(), severeLogs(), "console errors");
    assertEquals(0, fetched(), "the page fetched nothing");
    List<io.beamtrain.trainer.TrialResult> scored = fixture.results.stream()
        .filter(r -> Double.isFinite(r.metric("eval_accuracy"))).toList();

    // Slice of learning_rate: one point per scored trial, left to right in learning-rate order,
    // the most accurate highest.
    List<WebElement> slice = driver.findElements(By.cssSelector("svg.slice[data-param='learning_rate'] circle.slice-point"));
    assertEquals(scored.size(), slice.size());
    Map<String, double[]> at = new java.util.HashMap<>();
    slice.forEach(c -> at.put(c.getAttribute("data-trial"), centre(c)));
    List<String> byRate = scored.stream()
        .sorted(java.util.Comparator.comparingDouble(r -> ((Number) r.params().get("learning_rate")).doubleValue()))
        .map(io.beamtrain.trainer.TrialResult::trial).toList();
    for (int i = 1; i < byRate.size(); i++) {
      assertTrue(at.get(byRate.get(i))[0] >= at.get(byRate.get(i - 1))[0], "x order at " + byRate.get(i));
    }
    String best = fixture.best().trial();
    at.forEach((trial, xy) -> assertTrue(at.get(best)[1] <= xy[1], trial + " drawn above the best"));

    // History: best so far never gets worse, so the line only climbs; the last point is right-most.
    List<WebElement> history = driver.findElements(By.cssSelector("#history-steps circle.history-point"));
    assertEquals(scored.size(), history.size());
    assertEquals(2, driver.findElements(By.cssSelector("#history-steps path.history-line")).size(), "two sweeps");
    double bestY = centre(driver.findElement(By.cssSelector("#history-steps circle.history-point.best")))[1];
    for (WebElement point : history) {
      assertTrue(bestY <= centre(point)[1] + 0.5, point.getAttribute("data-trial"));
    }

    // Importance: the learning rate (which alone drives the fixture's accuracy) has the longest bar.
    List<WebElement> bars = driver.findElements(By.cssSelector("#importance rect.importance-bar"));
    assertEquals("learning_rate", bars.get(0).getAttribute("data-param"));
    for (WebElement bar : bars) {
      assertTrue(bars.get(0).getRect().getWidth() >= bar.getRect().getWidth());
    }
    assertEquals("learning_rate", driver.findElement(By.id("heatmap")).getAttribute("data-x"));
    assertEquals(scored.size(), driver.findElements(By.cssSelector("#heatmap circle.heat-point")).size());

    // Pareto front: every front trial highlighted, infeasible ones crossed.
    ParetoRecord pareto = snapshot.pareto().orElseThrow();
    assertEquals(pareto.front().size(), driver.findElements(By.cssSelector("#pareto circle.pareto-point.front")).size());
    assertEquals(pareto.infeasible().size(), driver.findElements(By.cssSelector("#pareto path.pareto-point.infeasible")).size());

    // Hovering a point shows its trial (its title) and highlights the trial's row and lines.
    WebElement point = slice.get(3);
    String trial = point.getAttribute("data-trial");
    assertTrue(tooltip(point).startsWith(trial + "\nlearning_rate = "), tooltip(point));
    new Actions(driver).moveToElement(point).perform();
    assertTrue(driver.findElement(By.cssSelector("#trials tbody tr[data-trial='" + trial + "']"))
        .getAttribute("class").contains("focus"));
    assertTrue(driver.findElements(By.cssSelector("circle.focus")).size() >= 4, "the trial's points in every view");

    assertEquals(List.of(), severeLogs(), "console errors after interaction");
    new Actions(driver).moveToElement(driver.findElement(By.tagName("h1"))).perform();
    elementShot("history-card", "report-history.png");
    elementShot("importance-card", "report-importance.png");
    elementShot("heatmap-card", "report-heatmap.png");
    elementShot("slices-card", "report-slices.png");
    elementShot("pareto-card", "report-pareto.png");
  }

  @Test
  void liveReportReloadsKeepingSortAndSelection() throws Exception {
    SweepOutputFixture.running(dir, 6);
    SweepSnapshot running = SweepReader.read(dir.toString(), StorageConfig.defaults(), null, java.time.Clock.systemUTC());
    String report = SweepReport.write(running, PageOptions.STATIC.refreshingEvery(1), StorageConfig.defaults());
    open(report);
    assertEquals(List.of(), severeLogs(), "console errors");

    clickHeader("param:learning_rate");
    String selected = column("trial").get(2);
    driver.findElement(By.cssSelector("#trials tbody tr[data-trial='" + selected + "'] td")).click();
    assertTrue(driver.getCurrentUrl().contains("sort=param%3Alearning_rate%3Aascending"), driver.getCurrentUrl());
    assertTrue(driver.getCurrentUrl().contains("trial=" + selected), driver.getCurrentUrl());

    // The sweep goes on: more trials; the page reloads itself and shows them, sorted and selected as before.
    SweepOutputFixture.running(dir, 9);
    SweepReport.write(SweepReader.read(dir.toString(), StorageConfig.defaults(), null, java.time.Clock.systemUTC()),
        PageOptions.STATIC.refreshingEvery(1), StorageConfig.defaults());
    new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(15))
        .until(d -> d.findElements(By.cssSelector("#trials tbody tr")).size() == 9);
    assertEquals("ascending",
        driver.findElement(By.cssSelector("th[data-col='param:learning_rate']")).getAttribute("aria-sort"));
    List<Double> rates = column("param:learning_rate").stream().map(Double::valueOf).toList();
    assertEquals(rates.stream().sorted().toList(), rates);
    assertTrue(driver.findElement(By.cssSelector("#trials tbody tr[data-trial='" + selected + "']"))
        .getAttribute("class").contains("selected"));
    assertTrue(driver.findElements(By.cssSelector("circle.selected[data-trial='" + selected + "']")).size() > 0,
        "the selection shows in the plots too");
    assertEquals(List.of(), severeLogs(), "console errors after reload");
    elementShot("report", "report-live.png");

    // The finished sweep's page stops reloading.
    SweepOutputFixture.finished(dir, 9);
    SweepReport.write(dir.toString(), StorageConfig.defaults());
    new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(15))
        .until(d -> d.findElements(By.cssSelector("meta[name='beamtrain-refresh']")).isEmpty());
    String url = driver.getCurrentUrl();
    Object marker = ((JavascriptExecutor) driver).executeScript("window.stayed = 42; return window.stayed;");
    Thread.sleep(2500);
    assertEquals(42L, ((JavascriptExecutor) driver).executeScript("return window.stayed;"), "no reload since " + url);
    assertEquals(42L, marker);
  }

  @Test
  void lineageOfAPopulationShowsEveryExploit() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 8);
    String best = fixture.best().trial();
    java.util.Random random = new java.util.Random(3);
    fixture.results.replaceAll(r -> {
      if (r.trial().equals(best) || r.status() == io.beamtrain.trainer.TrialStatus.FAILED) {
        return r;
      }
      List<io.beamtrain.trainer.TrialResult.Exploit> lineage = new java.util.ArrayList<>();
      double lr = ((Number) r.params().get("learning_rate")).doubleValue();
      for (long step = 500; step < r.steps(); step += 500) {
        double next = lr * (random.nextBoolean() ? 1.2 : 0.8);
        lineage.add(new io.beamtrain.trainer.TrialResult.Exploit(step, best, Map.of("learning_rate", lr),
            Map.of("learning_rate", next)));
        lr = next;
      }
      return r.withLineage(lineage);
    });
    fixture.writeResultsJsonl();
    open(SweepReport.write(dir.toString(), StorageConfig.defaults()));

    assertEquals(List.of(), severeLogs(), "console errors");
    long exploits = fixture.results.stream().mapToLong(r -> r.lineage().size()).sum();
    List<WebElement> edges = driver.findElements(By.cssSelector("#lineage-chart path.lineage-edge"));
    assertEquals(exploits, edges.size());
    assertEquals(exploits, driver.findElements(By.cssSelector("table.lineage tbody tr")).size());
    // An arrow starts at the donor's row (the best trial's, drawn first) and stands at its step.
    WebElement edge = edges.get(0);
    String recipient = edge.getAttribute("data-trial");
    assertTrue(tooltip(edge).startsWith(recipient + " took " + best + "'s checkpoint of step 500"), tooltip(edge));
    WebElement donorTrack = driver.findElement(By.cssSelector("#lineage-chart line.lineage-track[data-trial='" + best + "']"));
    org.openqa.selenium.Rectangle arrow = edge.getRect();
    assertEquals(centre(donorTrack)[1], arrow.getY(), 3.0, "the arrow leaves the donor's row");
    // Hovering a member's end dot highlights its row and its arrows (thin arrows of one step overlap,
    // so the dot is the target).
    new Actions(driver).moveToElement(
        driver.findElement(By.cssSelector("#lineage-chart circle.lineage-end[data-trial='" + recipient + "']"))).perform();
    assertTrue(driver.findElement(By.cssSelector("#trials tbody tr[data-trial='" + recipient + "']"))
        .getAttribute("class").contains("focus"));
    List<WebElement> focusedEdges = driver.findElements(By.cssSelector("#lineage-chart path.lineage-edge.focus"));
    assertEquals(fixture.results.stream().filter(r -> r.trial().equals(recipient)).findFirst().orElseThrow()
        .lineage().size(), focusedEdges.size());
    new Actions(driver).moveToElement(driver.findElement(By.tagName("h1"))).perform();
    elementShot("lineage-chart", "report-lineage.png");
  }

  private static void elementShot(String id, String name) throws Exception {
    Files.createDirectories(ARTIFACTS);
    WebElement element = driver.findElement(By.id(id));
    ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'start'});", element);
    Files.write(ARTIFACTS.resolve(name), element.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
  }

  private static void screenshot(String name) throws Exception {
    Files.createDirectories(ARTIFACTS);
    @SuppressWarnings("unchecked")
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.write(ARTIFACTS.resolve(name), Base64.getDecoder().decode((String) shot.get("data")));
  }
}
