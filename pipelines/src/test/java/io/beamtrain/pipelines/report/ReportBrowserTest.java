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
