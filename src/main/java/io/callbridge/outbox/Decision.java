package io.callbridge.outbox;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What one attempt's result means for the row: delivered · retry · dead · reconciled, or deferred
 * (no request was made: not counted as an attempt). Pure, so the rules are testable on their own.
 */
record Decision(String outcome, String status, int attempts, boolean ambiguous, Duration delay, String error) {
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  static final Duration DEFERRAL = Duration.ofSeconds(5);

  /**
   * @param attemptsBefore attempts made before this one
   * @param ambiguousBefore whether an earlier attempt may have reached the destination
   * @param once the destination accepts one request per call (a 404 then means "already converted")
   */
  static Decision of(Sender.Result r, int attemptsBefore, boolean ambiguousBefore, boolean once, long[] schedule,
      double jitter, RandomGenerator random) {
    if (r.kind() == Sender.Kind.NOT_SENT) {
      return new Decision("deferred", "pending", attemptsBefore, ambiguousBefore,
          Schedule.jittered(DEFERRAL.toMillis(), 0.2, random), r.error());
    }
    if (r.kind() == Sender.Kind.STALE) {
      return new Decision("stale", "dead", attemptsBefore, ambiguousBefore, Duration.ZERO, r.error());
    }
    int attempts = attemptsBefore + 1;
    boolean ambiguous = ambiguousBefore || r.ambiguous();
    if (r.kind() == Sender.Kind.REFUSED_IN_BODY) {
      return dead(attempts, ambiguous, "HTTP " + r.status() + " but the answer refused it: " + r.error());
    }
    if (r.kind() == Sender.Kind.HTTP) {
      int s = r.status();
      if (s >= 200 && s < 300) {
        return new Decision("delivered", "delivered", attempts, ambiguous, Duration.ZERO, null);
      }
      if (s >= 300 && s < 400) {
        return dead(attempts, ambiguous, "HTTP " + s + ": redirect" + r.location().map(l -> " to " + l).orElse("")
            + " not followed; fix the destination's URL");
      }
      if (s == 404 && once && ambiguousBefore) {
        return new Decision("reconciled", "reconciled", attempts, ambiguous, Duration.ZERO,
            "HTTP 404 after an earlier attempt with an unknown result: the destination already has this conversion");
      }
      if (s == 408 || s == 429 || s >= 500) {
        Duration floor = s == 429 || s == 503
            ? r.retryAfter().map(ra -> ra.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : ra).orElse(Duration.ZERO)
            : Duration.ZERO;
        return retry(attempts, ambiguous, schedule, jitter, random, floor, "HTTP " + s);
      }
      return dead(attempts, ambiguous, "HTTP " + s + (s == 410 ? ": the destination is gone" : ": rejected"));
    }
    return retry(attempts, ambiguous, schedule, jitter, random, Duration.ZERO, r.error());
  }

  private static Decision retry(int attempts, boolean ambiguous, long[] schedule, double jitter,
      RandomGenerator random, Duration floor, String error) {
    if (attempts >= schedule.length) {
      return dead(attempts, ambiguous, "schedule exhausted after " + attempts + " attempt(s); last: " + error);
    }
    Duration wait = Schedule.jittered(schedule[attempts], jitter, random);
    if (wait.compareTo(floor) < 0) {
      wait = floor;
    }
    return new Decision("retry", "pending", attempts, ambiguous, wait, error);
  }

  private static Decision dead(int attempts, boolean ambiguous, String error) {
    return new Decision("dead", "dead", attempts, ambiguous, Duration.ZERO, error);
  }
}
