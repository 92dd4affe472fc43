package io.callbridge.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Optional;

/**
 * What happened to one outbound request. A send never fails: every failure is one of these values.
 * {@code sent} says whether the request may have reached the destination (an ambiguous failure: a
 * retry could duplicate it); {@code refused}, {@code breaker_open} and {@code no_budget} never sent it.
 */
public sealed interface Outcome {

  /** The outcome's word, as used in the {@code outcome} metric label and in flow answers. */
  enum Kind {
    OK("ok"), TIMEOUT("timeout"), REFUSED("refused"), HTTP_ERROR("http_error"), BREAKER_OPEN("breaker_open"),
    NO_BUDGET("no_budget"), INVALID_RESPONSE("invalid_response"), CANCELLED("cancelled"), NO_CONNECTION("no_connection");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  Kind kind();

  /** Time from the send to this outcome; zero for outcomes that sent nothing. */
  Duration latency();

  default boolean isOk() {
    return kind() == Kind.OK;
  }

  /** A 2xx answer (redirects are never followed; they are {@link HttpError}s). */
  record Ok(int status, MultiMap headers, Buffer body, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.OK;
    }
  }

  /**
   * CallBridge's own back-pressure, not the destination's failure: every connection of this
   * destination's pool (this event loop's share) was in use and none came free in time, or its
   * wait queue was full. Nothing was sent. Never counted against the destination's breaker, and
   * never an attempt of a durable delivery.
   */
  record NoConnection(String detail, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.NO_CONNECTION;
    }
  }

  /** The budget ended first; the request was reset. */
  record Timeout(boolean sent, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.TIMEOUT;
    }
  }

  /**
   * No connection: refused, DNS, connect timeout, TLS handshake, pool queue full. Nothing was sent.
   * {@code attempts}: refused, DNS and connect timeouts are tried again once while budget remains.
   */
  record Refused(String detail, int attempts, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.REFUSED;
    }
  }

  /** A complete answer outside 2xx (3xx included). {@code retryAfter} from a Retry-After header. */
  record HttpError(int status, MultiMap headers, Buffer body, Optional<Duration> retryAfter, Duration latency)
      implements Outcome {
    public Kind kind() {
      return Kind.HTTP_ERROR;
    }
  }

  /** The destination's breaker is open (or half-open with its probe in flight): nothing was sent. */
  record BreakerOpen(String destination) implements Outcome {
    public Kind kind() {
      return Kind.BREAKER_OPEN;
    }

    public Duration latency() {
      return Duration.ZERO;
    }
  }

  /** The deadline left too little to try: nothing was sent. */
  record NoBudget(Duration remaining) implements Outcome {
    public Kind kind() {
      return Kind.NO_BUDGET;
    }

    public Duration latency() {
      return Duration.ZERO;
    }
  }

  /**
   * No usable answer after the request was sent: the connection reset or closed, or the body went
   * past the destination's {@code maxResponseBytes} (then {@code status} is the answer's status, else 0).
   */
  record InvalidResponse(String detail, int status, boolean sent, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.INVALID_RESPONSE;
    }
  }

  /** The caller stopped waiting (a fan-out completed early); the request was reset. */
  record Cancelled(boolean sent, Duration latency) implements Outcome {
    public Kind kind() {
      return Kind.CANCELLED;
    }
  }
}
