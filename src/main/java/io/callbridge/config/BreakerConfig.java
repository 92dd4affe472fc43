package io.callbridge.config;

import java.time.Duration;

/** Per-destination circuit breaker: {@code failures} within {@code window} open it for {@code resetTimeout}. */
public record BreakerConfig(int failures, Duration window, Duration resetTimeout) {
  public static BreakerConfig defaults() {
    return new BreakerConfig(5, Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  static BreakerConfig parse(Node n) {
    BreakerConfig d = defaults();
    int failures = n.integer("failures", d.failures, 1, 100_000);
    Duration window = n.duration("window", d.window);
    Duration reset = n.duration("resetTimeout", d.resetTimeout);
    if (window.compareTo(Duration.ofSeconds(1)) < 0) {
      // vertx-circuit-breaker counts failures in one-second slots.
      n.get("window").error("must be at least 1s, got " + window.toMillis() + "ms");
    }
    n.finish();
    return new BreakerConfig(failures, window, reset);
  }
}
