package io.callbridge.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that something else (a worker, a timer, another process) makes true: the
 * one place tests poll. Fails with what was awaited after {@link #PATIENCE}; never use it to let
 * time pass (move a {@link TestClock} instead).
 */
public final class Eventually {
  public static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

  private Eventually() {}

  public static void until(String what, BooleanSupplier condition) {
    value(what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
  }

  /** The first present value {@code probe} gives. */
  public static <T> T value(String what, Supplier<Optional<T>> probe) {
    return value(what, PATIENCE, probe);
  }

  public static <T> T value(String what, Duration patience, Supplier<Optional<T>> probe) {
    long end = System.nanoTime() + patience.toNanos();
    while (true) {
      Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + patience.toSeconds() + " s: " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
  }
}
