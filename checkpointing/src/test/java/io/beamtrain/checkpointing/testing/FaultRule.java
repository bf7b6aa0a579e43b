package io.beamtrain.checkpointing.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A fault for {@link GcsTestServer#addFault}: which requests it hits and what happens to them.
 * Immutable; every method returns a changed copy.
 *
 * <pre>{@code
 * server.addFault(FaultRule.on("POST", "/upload/.*").respond(503).times(20));
 * server.addFault(FaultRule.on("PUT", "/upload/.*").dropAfterBytes(1 << 20).times(1));
 * server.addFault(FaultRule.on("POST", "/upload/.*").forObject(".+/checkpoint").dropConnection());
 * }</pre>
 *
 * <p>Matching: the HTTP method ({@code "*"} for any) and a regular expression that must match the
 * whole percent-decoded path (so object names show their slashes, e.g. {@code
 * /storage/v1/b/bkt/o/run/trial-1/checkpoint}); optionally query parameters and the object name
 * (taken from the path, or the {@code name} parameter of uploads, which resumable session URLs
 * carry too, or for a multipart upload without that parameter the JSON part of its body, which the
 * server then reads before applying the rule). The parts of a batch request are matched on their
 * own, but only by {@link #respond} rules; the other actions apply to the batch request as a whole.
 *
 * <p>Actions: {@link #respond} an error in GCS's JSON format; {@link #dropConnection()} close the
 * socket without reading the request or answering; {@link #dropAfterBytes} close the socket after
 * that many bytes of the request body (uploads; what a resumable session persisted by then follows
 * GCS's 256 KiB rule) or of the response body (downloads), a body shorter than that going through
 * untouched (the rule still counts as fired); {@link #dropResponse()} carry out the request, then
 * close the socket instead of answering (the client cannot know it landed); {@link #delay} wait
 * before handling (alone or before another action).
 *
 * <p>A rule fires on every match unless limited with {@link #times}; {@link #skip} lets the first
 * matches through (e.g. fail only the third chunk). Rules are tried in the order they were added;
 * the first one that fires decides.
 */
public final class FaultRule {
  /** What a fired rule does to the request. */
  public enum Action {
    /** Only the delay, then normal handling. */
    NONE,
    RESPOND,
    DROP_CONNECTION,
    DROP_AFTER_BYTES,
    DROP_RESPONSE
  }

  private final String method;
  private final Pattern path;
  private final Map<String, Pattern> queryParams;
  private final Pattern objectName;
  private final Action action;
  private final int status;
  private final long bytes;
  private final Duration delay;
  private final int times;
  private final int skip;

  private FaultRule(
      String method,
      Pattern path,
      Map<String, Pattern> queryParams,
      Pattern objectName,
      Action action,
      int status,
      long bytes,
      Duration delay,
      int times,
      int skip) {
    this.method = method;
    this.path = path;
    this.queryParams = Map.copyOf(queryParams);
    this.objectName = objectName;
    this.action = action;
    this.status = status;
    this.bytes = bytes;
    this.delay = delay;
    this.times = times;
    this.skip = skip;
  }

  /** Requests with this method ({@code "*"} for any) whose decoded path matches the regex. */
  public static FaultRule on(String method, String pathRegex) {
    Objects.requireNonNull(method, "method");
    return new FaultRule(
        method.equals("*") ? null : method.toUpperCase(java.util.Locale.ROOT),
        Pattern.compile(pathRegex),
        Map.of(),
        null,
        Action.NONE,
        0,
        0,
        Duration.ZERO,
        Integer.MAX_VALUE,
        0);
  }

  /** Also require query parameter {@code name} to be present and match {@code valueRegex}. */
  public FaultRule withQueryParam(String name, String valueRegex) {
    Map<String, Pattern> q = new LinkedHashMap<>(queryParams);
    q.put(name, Pattern.compile(valueRegex));
    return copy(q, objectName, action, status, bytes, delay, times, skip);
  }

  /** Also require the request's object name to match {@code nameRegex}. */
  public FaultRule forObject(String nameRegex) {
    return copy(queryParams, Pattern.compile(nameRegex), action, status, bytes, delay, times, skip);
  }

  /** Answer with this HTTP status and GCS's JSON error body for it. */
  public FaultRule respond(int httpStatus) {
    if (httpStatus < 300 || httpStatus > 599) {
      throw new IllegalArgumentException("respond() takes an error status, got " + httpStatus);
    }
    return copy(queryParams, objectName, Action.RESPOND, httpStatus, 0, delay, times, skip);
  }

  /** Close the connection without reading the request or sending a response. */
  public FaultRule dropConnection() {
    return copy(queryParams, objectName, Action.DROP_CONNECTION, 0, 0, delay, times, skip);
  }

  /** Close the connection after {@code n} bytes of the request body (or response body for GET). */
  public FaultRule dropAfterBytes(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("dropAfterBytes takes n >= 0, got " + n);
    }
    return copy(queryParams, objectName, Action.DROP_AFTER_BYTES, 0, n, delay, times, skip);
  }

  /** Carry out the request, then close the connection instead of answering. */
  public FaultRule dropResponse() {
    return copy(queryParams, objectName, Action.DROP_RESPONSE, 0, 0, delay, times, skip);
  }

  /** Wait this long before handling (or before the other action of this rule). */
  public FaultRule delay(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + d);
    }
    return copy(queryParams, objectName, action, status, bytes, d, times, skip);
  }

  /** Fire at most {@code n} times, then expire. */
  public FaultRule times(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("times takes n > 0, got " + n);
    }
    return copy(queryParams, objectName, action, status, bytes, delay, n, skip);
  }

  /** Let the first {@code n} matching requests through untouched. */
  public FaultRule skip(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("skip takes n >= 0, got " + n);
    }
    return copy(queryParams, objectName, action, status, bytes, delay, times, n);
  }

  public Action action() {
    return action;
  }

  public int status() {
    return status;
  }

  public long bytes() {
    return bytes;
  }

  public Duration delay() {
    return delay;
  }

  public int times() {
    return times;
  }

  public int skipped() {
    return skip;
  }

  boolean matchesObjectNames() {
    return objectName != null;
  }

  boolean matches(GcsRequest req, String objectNameOfRequest) {
    if (method != null && !method.equals(req.method())) {
      return false;
    }
    if (!path.matcher(req.path()).matches()) {
      return false;
    }
    for (Map.Entry<String, Pattern> e : queryParams.entrySet()) {
      String v = req.param(e.getKey());
      if (v == null || !e.getValue().matcher(v).matches()) {
        return false;
      }
    }
    return objectName == null
        || (objectNameOfRequest != null && objectName.matcher(objectNameOfRequest).matches());
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("FaultRule[");
    s.append(method == null ? "*" : method).append(' ').append(path.pattern());
    queryParams.forEach((k, v) -> s.append(" ?").append(k).append('=').append(v.pattern()));
    if (objectName != null) {
      s.append(" object=").append(objectName.pattern());
    }
    s.append(" -> ").append(action);
    if (action == Action.RESPOND) {
      s.append(' ').append(status);
    } else if (action == Action.DROP_AFTER_BYTES) {
      s.append(' ').append(bytes);
    }
    if (!delay.isZero()) {
      s.append(" after ").append(delay);
    }
    if (times != Integer.MAX_VALUE) {
      s.append(" x").append(times);
    }
    if (skip > 0) {
      s.append(" skipping ").append(skip);
    }
    return s.append(']').toString();
  }

  private FaultRule copy(
      Map<String, Pattern> q, Pattern object, Action a, int st, long b, Duration d, int t, int sk) {
    return new FaultRule(method, path, q, object, a, st, b, d, t, sk);
  }
}
