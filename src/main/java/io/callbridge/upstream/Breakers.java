package io.callbridge.upstream;

import io.callbridge.config.BreakerConfig;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One destination's circuit breaker around its HTTP sends. {@code failures} failed outcomes within
 * the rolling {@code window} (a success clears the count) open it; after {@code resetTimeout} it is
 * half-open and lets one probe through; the probe's success closes it, its failure reopens it.
 * The breaker's own timeout and event-bus notifications are off: the deadline owns time.
 * Failures: timeout, refused, invalid_response, and http_error with 5xx or 429. A 4xx or 3xx
 * answer means the destination is alive. A cancelled request counts as a success (the breaker has
 * no neutral result); fan-outs cancel only what they no longer need.
 */
final class Breakers {
  private final CircuitBreaker breaker;
  private final String destination;

  /** Carries a failed outcome through the breaker, which only counts failed futures. */
  private static final class Tripped extends RuntimeException {
    final Outcome outcome;

    Tripped(Outcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  Breakers(Vertx vertx, String destination, BreakerConfig config) {
    this.destination = destination;
    CircuitBreakerOptions options = new CircuitBreakerOptions()
        .setMaxFailures(config.failures())
        .setFailuresRollingWindow(Math.max(1000, config.window().toMillis()))
        .setResetTimeout(Math.max(1, config.resetTimeout().toMillis()))
        .setTimeout(-1)
        .setMaxRetries(0)
        .setFallbackOnFailure(false)
        .setNotificationAddress(null)
        .setNotificationPeriod(0);
    this.breaker = CircuitBreaker.create("callbridge-" + destination, vertx, options);
  }

  Future<Outcome> execute(java.util.function.Supplier<Future<Outcome>> send) {
    return breaker.<Outcome>execute(() -> send.get().compose(o -> trips(o)
            ? Future.failedFuture(new Tripped(o)) : Future.succeededFuture(o)))
        .recover(t -> {
          if (t instanceof Tripped tripped) {
            return Future.succeededFuture(tripped.outcome);
          }
          if (t instanceof OpenCircuitException) {
            return Future.succeededFuture(new Outcome.BreakerOpen(destination));
          }
          return Future.succeededFuture(new Outcome.InvalidResponse("unexpected: " + t, 0, false,
              java.time.Duration.ZERO));
        });
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
  int stateCode() {
    CircuitBreakerState s = breaker.state();
    return s == CircuitBreakerState.OPEN ? 2 : s == CircuitBreakerState.HALF_OPEN ? 1 : 0;
  }

  void close() {
    breaker.close();
  }
}
