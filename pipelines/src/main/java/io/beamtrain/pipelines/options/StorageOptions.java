package io.beamtrain.pipelines.options;

import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Where gs:// paths go, for both beamtrain's own storage (checkpoints, results) and Beam's GCS file
 * system (TextIO, TFRecordIO, FileSystems). Builds on Beam's {@link GcsOptions}, whose {@code
 * --gcsEndpoint} (Beam 2.70) is reused rather than duplicated: one flag points both at the same
 * server. Call {@link StorageSetup#apply} once before the pipeline touches gs://, and {@link
 * StorageSetup#storageConfig} for the config DoFns carry.
 *
 * <p>Against the in-process test server or an emulator: {@code --gcsEndpoint=http://127.0.0.1:PORT
 * --gcsNoCredentials}.
 */
public interface StorageOptions extends GcsOptions {

  @Description(
      "Send no Google credentials to GCS (the in-process test server, emulators). Default false:"
          + " application-default credentials.")
  @Default.Boolean(false)
  boolean getGcsNoCredentials();

  void setGcsNoCredentials(boolean value);

  @Description(
      "Objects at least this large are uploaded with a resumable session (beamtrain's storage);"
          + " smaller ones in one request. Default 8 MiB.")
  @Default.Long(8L << 20)
  long getGcsResumableThresholdBytes();

  void setGcsResumableThresholdBytes(long value);

  @Description(
      "Give up retrying a failing GCS request after this many seconds (beamtrain's storage)."
          + " Missing buckets, 403 and unreachable endpoints are never retried. Default 120, or 20"
          + " with --gcsEndpoint and --gcsNoCredentials.")
  Integer getGcsRetryTimeoutSeconds();

  void setGcsRetryTimeoutSeconds(Integer value);
}
