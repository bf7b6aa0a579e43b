package io.beamtrain.checkpointing.storage;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * How to reach storage backends. Immutable and serializable, so Beam DoFns can carry it to workers;
 * {@link Storages} keeps one GCS client per distinct config.
 *
 * @param gcsEndpoint JSON API root, e.g. {@code http://127.0.0.1:4443}; null for real GCS. A
 *     trailing {@code /} or {@code /storage/v1/} (Beam's {@code --gcsEndpoint} form) is removed.
 * @param projectId GCP project for the client; null lets the client find it
 * @param noCredentials true to send no credentials (the in-process test server, emulators)
 * @param resumableThresholdBytes objects at least this large are uploaded resumably (default 8
 *     MiB); smaller ones in one multipart request
 * @param uploadChunkBytes bytes per request of a streamed resumable upload ({@link
 *     Storage#openWrite}); a positive multiple of 256 KiB (default 16 MiB)
 * @param listPageSize objects per listing request, 1..1000 (default 1000)
 * @param retry timeouts and retry budget of GCS requests (default {@link
 *     GcsRetrySettings#defaults})
 */
public record StorageConfig(
    String gcsEndpoint,
    String projectId,
    boolean noCredentials,
    long resumableThresholdBytes,
    int uploadChunkBytes,
    int listPageSize,
    GcsRetrySettings retry)
    implements Serializable {

  public static final String ENDPOINT_ENV = "BEAMTRAIN_GCS_ENDPOINT";
  public static final String ENDPOINT_PROPERTY = "beamtrain.gcs.endpoint";
  public static final long DEFAULT_RESUMABLE_THRESHOLD = 8L << 20;
  public static final int DEFAULT_UPLOAD_CHUNK_BYTES = 16 << 20;
  public static final int MAX_LIST_PAGE_SIZE = 1000;

  /** GCS accepts resumable chunks in multiples of this. */
  public static final int UPLOAD_CHUNK_QUANTUM = 256 << 10;

  public StorageConfig {
    gcsEndpoint = normalizeEndpoint(gcsEndpoint);
    if (resumableThresholdBytes <= 0) {
      throw new IllegalArgumentException(
          "resumableThresholdBytes must be positive, was " + resumableThresholdBytes);
    }
    if (uploadChunkBytes <= 0 || uploadChunkBytes % UPLOAD_CHUNK_QUANTUM != 0) {
      throw new IllegalArgumentException(
          "uploadChunkBytes must be a positive multiple of 256 KiB, was " + uploadChunkBytes);
    }
    if (listPageSize < 1 || listPageSize > MAX_LIST_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "listPageSize must be in 1.." + MAX_LIST_PAGE_SIZE + ", was " + listPageSize);
    }
    Objects.requireNonNull(retry, "retry");
  }

  /** The original four settings; the others take their defaults. */
  public StorageConfig(
      String gcsEndpoint, String projectId, boolean noCredentials, long resumableThresholdBytes) {
    this(
        gcsEndpoint,
        projectId,
        noCredentials,
        resumableThresholdBytes,
        DEFAULT_UPLOAD_CHUNK_BYTES,
        MAX_LIST_PAGE_SIZE,
        GcsRetrySettings.defaults());
  }

  /**
   * Real GCS with application-default credentials, unless the {@value #ENDPOINT_PROPERTY} system
   * property or {@value #ENDPOINT_ENV} environment variable names another endpoint (then as {@link
   * #forEndpoint}).
   */
  public static StorageConfig defaults() {
    String endpoint = System.getProperty(ENDPOINT_PROPERTY);
    if (endpoint == null || endpoint.isBlank()) {
      endpoint = System.getenv(ENDPOINT_ENV);
    }
    if (endpoint == null || endpoint.isBlank()) {
      return new StorageConfig(null, null, false, DEFAULT_RESUMABLE_THRESHOLD);
    }
    return forEndpoint(endpoint);
  }

  /**
   * A GCS-compatible endpoint on the local machine or network (the test server, an emulator): no
   * credentials, project {@code test-project}, {@link GcsRetrySettings#localServer} timing.
   */
  public static StorageConfig forEndpoint(String endpoint) {
    return new StorageConfig(
        endpoint,
        "test-project",
        true,
        DEFAULT_RESUMABLE_THRESHOLD,
        DEFAULT_UPLOAD_CHUNK_BYTES,
        MAX_LIST_PAGE_SIZE,
        GcsRetrySettings.localServer());
  }

  public StorageConfig withResumableThresholdBytes(long bytes) {
    return new StorageConfig(
        gcsEndpoint, projectId, noCredentials, bytes, uploadChunkBytes, listPageSize, retry);
  }

  public StorageConfig withUploadChunkBytes(int bytes) {
    return new StorageConfig(
        gcsEndpoint, projectId, noCredentials, resumableThresholdBytes, bytes, listPageSize, retry);
  }

  public StorageConfig withListPageSize(int pageSize) {
    return new StorageConfig(
        gcsEndpoint,
        projectId,
        noCredentials,
        resumableThresholdBytes,
        uploadChunkBytes,
        pageSize,
        retry);
  }

  public StorageConfig withRetry(GcsRetrySettings settings) {
    return new StorageConfig(
        gcsEndpoint,
        projectId,
        noCredentials,
        resumableThresholdBytes,
        uploadChunkBytes,
        listPageSize,
        settings);
  }

  /** The endpoint GCS requests go to, for messages. */
  public String effectiveGcsEndpoint() {
    return gcsEndpoint == null ? "https://storage.googleapis.com" : gcsEndpoint;
  }

  private static String normalizeEndpoint(String endpoint) {
    if (endpoint == null) {
      return null;
    }
    String e = endpoint.trim();
    if (e.isEmpty()) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(e);
    } catch (URISyntaxException ex) {
      throw new IllegalArgumentException("gcsEndpoint is not a URL: '" + endpoint + "'", ex);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "gcsEndpoint must be an http(s)://host[:port] URL, was '" + endpoint + "'");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!(path.isEmpty()
        || path.equals("/")
        || path.equals("/storage/v1")
        || path.equals("/storage/v1/"))) {
      throw new IllegalArgumentException(
          "gcsEndpoint must be the API root (http(s)://host[:port]), was '" + endpoint + "'");
    }
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }
}
