package io.callbridge.outbox;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When each attempt is due: {@code delays.get(i)} is the wait before attempt {@code i + 1}
 * (measured from the accept for the first, from the previous attempt's end after that), each
 * spread by ± {@code jitter}. The list's length is the number of attempts that happen.
 */
public record Schedule(List<Duration> delays, double jitter) {

  public Schedule {
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("a schedule has at least one attempt");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within [0, 1], got " + jitter);
    }
    delays = List.copyOf(delays);
  }

  public int attempts() {
    return delays.size();
  }

  /** The wait before attempt {@code index + 1} with jitter applied: within delay × [1 − jitter, 1 + jitter]. */
  public Duration delayBefore(int index, RandomGenerator random) {
    return jittered(delays.get(index).toMillis(), jitter, random);
  }

  static Duration jittered(long millis, double jitter, RandomGenerator random) {
    if (millis <= 0 || jitter == 0) {
      return Duration.ofMillis(Math.max(0, millis));
    }
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofMillis(Math.round(millis * factor));
  }

  long[] millis() {
    return delays.stream().mapToLong(Duration::toMillis).toArray();
  }
}
