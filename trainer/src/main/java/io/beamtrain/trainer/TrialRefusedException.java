package io.beamtrain.trainer;

/**
 * A trial the trainer refuses to run as asked, before it has written anything: its directory
 * already holds another trial (other hyperparameters or seed), or the study's metric is not
 * computed for the data's label. The same for every attempt and every trial of the run, so a
 * caller must not record it as the trial's outcome (a FAILED result.json would overwrite the
 * result of the trial the directory really holds); the sweep fails the run with it instead.
 */
public class TrialRefusedException extends BadInputException {
  public TrialRefusedException(String message) {
    super(message);
  }

  public TrialRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
