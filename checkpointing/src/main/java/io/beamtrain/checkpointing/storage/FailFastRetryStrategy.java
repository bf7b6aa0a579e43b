package io.beamtrain.checkpointing.storage;

import com.google.api.gax.retrying.ResultRetryAlgorithm;
import com.google.api.gax.retrying.TimedAttemptSettings;
import com.google.cloud.storage.StorageRetryStrategy;
import java.io.Serializable;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The client's default retry strategy (retry 408/429/5xx and broken connections, and only for
 * requests that are idempotent or made so by a precondition), except that failures to reach the
 * endpoint at all are not retried: connection refused, unknown host, no route, connect timeout. The
 * default would retry those for the whole retry budget, minutes on real GCS, when a wrong endpoint
 * or a network outage is far likelier than a blip; failing at once names the problem.
 */
final class FailFastRetryStrategy implements StorageRetryStrategy {
  private static final long serialVersionUID = 1L;

  private static final FailFast IDEMPOTENT =
      new FailFast(StorageRetryStrategy.getDefaultStorageRetryStrategy().getIdempotentHandler());
  private static final FailFast NON_IDEMPOTENT =
      new FailFast(StorageRetryStrategy.getDefaultStorageRetryStrategy().getNonidempotentHandler());

  @Override
  public ResultRetryAlgorithm<?> getIdempotentHandler() {
    return IDEMPOTENT;
  }

  @Override
  public ResultRetryAlgorithm<?> getNonidempotentHandler() {
    return NON_IDEMPOTENT;
  }

  /** Whether {@code t} (or a cause) says the endpoint cannot be reached at all. */
  static boolean isUnreachable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException) {
        return true;
      }
      if (c instanceof SocketTimeoutException
          && c.getMessage() != null
          && c.getMessage().toLowerCase(Locale.ROOT).contains("connect timed out")) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** The default decision, overruled to "no" for unreachable endpoints. */
  private static final class FailFast implements ResultRetryAlgorithm<Object>, Serializable {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("rawtypes")
    private final ResultRetryAlgorithm delegate;

    FailFast(ResultRetryAlgorithm<?> delegate) {
      this.delegate = delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TimedAttemptSettings createNextAttempt(
        Throwable previousThrowable,
        Object previousResponse,
        TimedAttemptSettings previousSettings) {
      return delegate.createNextAttempt(previousThrowable, previousResponse, previousSettings);
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean shouldRetry(Throwable previousThrowable, Object previousResponse) {
      if (previousThrowable != null && isUnreachable(previousThrowable)) {
        return false;
      }
      return delegate.shouldRetry(previousThrowable, previousResponse);
    }
  }
}
