package io.callbridge.ingress;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * How late an event loop runs what is due: every {@link #PERIOD_MS} it arms a timer on its own loop
 * and records, when the timer fires, how long after its due time that was
 * ({@code callbridge_event_loop_lag_seconds{loop}}). An idle loop lags well under a millisecond;
 * lag means the loop is busy (requests queue behind each other), starved of CPU, or blocked by code
 * that must not run there, and every ping on that loop waits for it.
 */
final class LoopLag {
  static final long PERIOD_MS = 100;

  private final Vertx vertx;
  private final Timer lag;
  private long timerId = -1;
  private boolean stopped;

  LoopLag(Vertx vertx, Timer lag) {
    this.vertx = vertx;
    this.lag = lag;
  }

  /** Starts measuring the calling context's loop. */
  void start() {
    arm();
  }

  private void arm() {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
    timerId = vertx.setTimer(PERIOD_MS, id -> {
      lag.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      if (!stopped) {
        arm();
      }
    });
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
  }
}
