package io.callbridge.deadline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The one deadline of an inbound request: an absolute instant and the clock that reads it. Created
 * at ingress and passed down; each outbound call is given {@code remaining() - reserve}.
 */
public record Deadline(Instant at, Clock clock) {

  public static Deadline in(Duration budget, Clock clock) {
    return new Deadline(clock.instant().plus(budget), clock);
  }

  public Duration remaining() {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** This deadline moved earlier by {@code reserve}: what an outbound call may spend. */
  public Deadline minus(Duration reserve) {
    return new Deadline(at.minus(reserve), clock);
  }

  /** The earlier of this deadline and one {@code budget} from now. */
  public Deadline atMost(Duration budget) {
    Instant other = clock.instant().plus(budget);
    return other.isBefore(at) ? new Deadline(other, clock) : this;
  }
}
