package io.beamtrain.checkpointing.testing;

import java.util.Map;

/**
 * One request the {@link GcsTestServer} received, for assertions.
 *
 * @param method HTTP method
 * @param path percent-decoded path
 * @param query decoded query parameters (first value of each)
 * @param status status sent, or {@link #DROPPED} when the connection was closed without one
 * @param bodyBytes request body bytes the server read
 * @param fault the fault rule that fired, or null
 * @param batchPart true for a request carried inside a batch request
 */
public record RecordedRequest(
    String method,
    String path,
    Map<String, String> query,
    int status,
    long bodyBytes,
    String fault,
    boolean batchPart) {

  /** Status of a request whose connection was dropped without a response. */
  public static final int DROPPED = -1;

  public RecordedRequest {
    query = Map.copyOf(query);
  }

  /** Whether this request started a resumable upload session. */
  public boolean isResumableStart() {
    return method.equals("POST")
        && path.startsWith("/upload/")
        && "resumable".equals(query.get("uploadType"))
        && !query.containsKey("upload_id");
  }

  /** Whether this request sent bytes (or a status query) to a resumable session. */
  public boolean isResumableChunk() {
    return path.startsWith("/upload/") && query.containsKey("upload_id");
  }

  public String param(String name) {
    return query.get(name);
  }
}
