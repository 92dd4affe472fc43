package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.metrics.Metrics;
import io.callbridge.testing.Eventually;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The event-loop lag meter sees a loop that cannot run its timers on time. */
class LoopLagTest {

  @Test
  void aBlockedLoopShowsAsLagAndAnIdleOneKeepsCounting() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Metrics metrics = new Metrics();
      Timer timer = new IngressMetrics(metrics).loopLag("test-loop");
      Context context = vertx.getOrCreateContext();
      LoopLag[] lag = new LoopLag[1];
      context.runOnContext(v -> {
        lag[0] = new LoopLag(vertx, timer);
        lag[0].start();
      });
      Eventually.until("three idle measurements", () -> timer.count() >= 3);
      assertThat(timer.count()).as("an idle loop keeps measuring").isGreaterThanOrEqualTo(3);

      // What the meter is for: code that holds the loop (here on purpose, in a test) delays what is due.
      long before = timer.count();
      context.runOnContext(v -> {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      });
      Eventually.until("two measurements after the blocked task", () -> timer.count() >= before + 2);
      assertThat(timer.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(250);
      assertThat(metrics.scrape()).contains("callbridge_event_loop_lag_seconds_count{loop=\"test-loop\"}");
      context.runOnContext(v -> lag[0].stop());
    } finally {
      vertx.close().await();
    }
  }
}
