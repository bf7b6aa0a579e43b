package io.beamtrain.checkpointing.testing;

/**
 * Tells the HTTP layer to close the socket without a response: the request body broke off (a real
 * disconnect or an injected {@code dropAfterBytes}), or a fault rule asked for it.
 */
final class ConnectionDropped extends RuntimeException {
  ConnectionDropped(String why, Throwable cause) {
    super(why, cause, false, false);
  }
}
