package io.callbridge.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one clock tests move by hand. {@link #at} stands still until told ({@link #advance},
 * {@link #set}); {@link #ticking} follows the system clock plus what the test added ("a month
 * later"), for tests whose gateway also needs real time to pass.
 */
public final class TestClock extends Clock {
  private final boolean ticking;
  private final AtomicLong millis;

  private TestClock(boolean ticking, long millis) {
    this.ticking = ticking;
    this.millis = new AtomicLong(millis);
  }

  /** A clock that shows {@code start} until the test moves it. */
  public static TestClock at(Instant start) {
    return new TestClock(false, start.toEpochMilli());
  }

  /** The system clock, plus every {@link #advance}. */
  public static TestClock ticking() {
    return new TestClock(true, 0);
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  /** Shows {@code t} from now on (a clock made by {@link #at} only). */
  public void set(Instant t) {
    if (ticking) {
      throw new IllegalStateException("a ticking clock only moves forward with advance()");
    }
    millis.set(t.toEpochMilli());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return (ticking ? System.currentTimeMillis() : 0) + millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
