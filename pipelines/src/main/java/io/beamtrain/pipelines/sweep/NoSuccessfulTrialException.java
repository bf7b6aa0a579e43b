package io.beamtrain.pipelines.sweep;

/**
 * Every trial of a sweep failed (exception or divergence), so there is no model to export. The
 * message counts them and quotes the first failure (by trial id); results.jsonl has the rest.
 */
public class NoSuccessfulTrialException extends RuntimeException {
  public NoSuccessfulTrialException(String message) {
    super(message);
  }
}
