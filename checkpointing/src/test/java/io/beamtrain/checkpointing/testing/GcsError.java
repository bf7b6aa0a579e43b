package io.beamtrain.checkpointing.testing;

/**
 * An error response in GCS's JSON error format: {@code {"error": {"code", "message", "errors":
 * [{"message", "domain": "global", "reason"}]}}}. Thrown by handlers, rendered by the server.
 */
final class GcsError extends RuntimeException {
  private final int status;
  private final String reason;

  GcsError(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  int status() {
    return status;
  }

  String reason() {
    return reason;
  }

  static GcsError noSuchObject(String bucket, String name) {
    return new GcsError(404, "notFound", "No such object: " + bucket + "/" + name);
  }

  static GcsError noSuchBucket() {
    return new GcsError(404, "notFound", "The specified bucket does not exist.");
  }

  static GcsError preconditionFailed() {
    return new GcsError(
        412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
  }

  static GcsError notModified() {
    return new GcsError(304, "notModified", "Not Modified");
  }

  static GcsError invalid(String message) {
    return new GcsError(400, "invalid", message);
  }

  static GcsError notImplemented(String what) {
    return new GcsError(501, "notImplemented", "GcsTestServer does not implement " + what);
  }

  /** The error GCS sends for a status code when nothing more specific applies (fault injection). */
  static GcsError forStatus(int status) {
    return switch (status) {
      case 400 -> invalid("Invalid argument.");
      case 401 -> new GcsError(401, "required", "Anonymous caller does not have storage access.");
      case 403 ->
          new GcsError(
              403,
              "forbidden",
              "test-caller@beamtrain.iam.gserviceaccount.com does not have storage.objects access"
                  + " to the Google Cloud Storage object. Permission denied (injected by"
                  + " GcsTestServer).");
      case 404 -> new GcsError(404, "notFound", "Not Found");
      case 408 -> new GcsError(408, "requestTimeout", "Request timed out.");
      case 409 -> new GcsError(409, "conflict", "Conflict.");
      case 412 -> preconditionFailed();
      case 429 ->
          new GcsError(
              429,
              "rateLimitExceeded",
              "The object exceeded the rate limit for object mutation operations (create, update,"
                  + " and delete).");
      case 500 -> new GcsError(500, "internalError", "Internal Error");
      case 502 -> new GcsError(502, "badGateway", "Bad Gateway");
      case 503 ->
          new GcsError(503, "backendError", "We encountered an internal error. Please try again.");
      case 504 -> new GcsError(504, "gatewayTimeout", "Gateway Timeout");
      default -> new GcsError(status, "error", "HTTP " + status);
    };
  }
}
