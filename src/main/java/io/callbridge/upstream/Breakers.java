package io.callbridge.upstream;

import io.callbridge.config.BreakerConfig;
import io.callbridge.deadline.Deadline;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A circuit breaker per destination, as a decorator around the client that sends. {@code failures}
 * failed outcomes within the rolling {@code window} (a success clears the count) open it; after
 * {@code resetTimeout} it is half-open and lets one probe through; the probe's success closes it,
 * its failure reopens it. The breaker's own timeout and event-bus notifications are off: the
 * deadline owns time.
 *
 * <p>Which outcomes count is the breaker's failure policy ({@link #trips}): timeout, refused,
 * invalid_response, and http_error with 5xx or 429. A 4xx or 3xx answer means the destination is
 * alive. CallBridge's own pool being full ({@code no_connection}) is never the destination's
 * failure: nothing was sent. It and a cancelled request count as a success (the breaker has no neutral result); fan-outs
 * cancel only what they no longer need. The breaker turns a failure it counted into a failed
 * future; the outcome itself is kept beside it and is what the caller gets.
 */
final class Breakers implements UpstreamClient {
  private final UpstreamClient inner;
  private final Map<String, CircuitBreaker> byDestination;

  Breakers(Vertx vertx, Map<String, BreakerConfig> configs, UpstreamClient inner) {
    this.inner = inner;
    Map<String, CircuitBreaker> out = new LinkedHashMap<>();
    configs.forEach((destination, config) -> out.put(destination, create(vertx, destination, config)));
    this.byDestination = Map.copyOf(out);
  }

  private static CircuitBreaker create(Vertx vertx, String destination, BreakerConfig config) {
    CircuitBreakerOptions options = new CircuitBreakerOptions()
        .setMaxFailures(config.failures())
        .setFailuresRollingWindow(Math.max(1000, config.window().toMillis()))
        .setResetTimeout(Math.max(1, config.resetTimeout().toMillis()))
        .setTimeout(-1)
        .setMaxRetries(0)
        .setFallbackOnFailure(false)
        .setNotificationAddress(null)
        .setNotificationPeriod(0);
    CircuitBreaker breaker = CircuitBreaker.create("callbridge-" + destination, vertx, options);
    breaker.<Outcome>failurePolicy(sent -> sent.failed() || trips(sent.result()));
    return breaker;
  }

  @Override
  public Future<Outcome> send(String destination, OutboundRequest request, Deadline deadline, Future<Void> cancel) {
    Outcome[] answered = new Outcome[1];
    return breaker(destination)
        .<Outcome>execute(() -> inner.send(destination, request, deadline, cancel).onSuccess(o -> answered[0] = o))
        .recover(t -> Future.succeededFuture(answered[0] != null ? answered[0]
            : t instanceof OpenCircuitException ? new Outcome.BreakerOpen(destination)
            : new Outcome.InvalidResponse("unexpected: " + t, 0, false, Duration.ZERO)));
  }

  static boolean trips(Outcome o) {
    return switch (o.kind()) {
      case TIMEOUT, REFUSED, INVALID_RESPONSE -> true;
      case HTTP_ERROR -> {
        int s = ((Outcome.HttpError) o).status();
        yield s >= 500 || s == 429;
      }
      default -> false;
    };
  }

  /** 0 closed, 1 half-open, 2 open (the {@code callbridge_upstream_breaker_state} gauge). */
  int stateCode(String destination) {
    CircuitBreakerState s = breaker(destination).state();
    return s == CircuitBreakerState.OPEN ? 2 : s == CircuitBreakerState.HALF_OPEN ? 1 : 0;
  }

  void close() {
    byDestination.values().forEach(CircuitBreaker::close);
  }

  private CircuitBreaker breaker(String destination) {
    CircuitBreaker b = byDestination.get(destination);
    if (b == null) {
      throw new IllegalArgumentException("unknown destination '" + destination + "' (configured: "
          + byDestination.keySet() + ")");
    }
    return b;
  }
}
