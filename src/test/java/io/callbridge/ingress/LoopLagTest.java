package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event-loop lag meter sees a loop that cannot run its timers on time. */
@ExtendWith(VertxExtension.class)
class LoopLagTest {

  /** Flags {@code checkpoint} once {@code condition} holds, watched from another event loop. */
  static void when(Vertx vertx, BooleanSupplier condition, Checkpoint checkpoint, Runnable then) {
    vertx.setPeriodic(10, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        then.run();
        checkpoint.flag();
      }
    });
  }

  @Test
  void aBlockedLoopShowsAsLagAndAnIdleOneKeepsCounting(Vertx vertx, VertxTestContext test) {
    Metrics metrics = new Metrics();
    Timer timer = new IngressMetrics(metrics).loopLag("test-loop");
    Context context = vertx.getOrCreateContext();
    LoopLag[] lag = new LoopLag[1];
    Checkpoint idle = test.checkpoint();
    Checkpoint blocked = test.checkpoint();
    context.runOnContext(v -> {
      lag[0] = new LoopLag(vertx, timer);
      lag[0].start();
    });
    // An idle loop keeps measuring.
    when(vertx, () -> timer.count() >= 3, idle, () -> {
      long before = timer.count();
      // What the meter is for: code that holds the loop (here on purpose, in a test) delays what is due.
      context.runOnContext(v -> {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      });
      when(vertx, () -> timer.count() >= before + 2, blocked, () -> test.verify(() -> {
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(250);
        assertThat(metrics.scrape()).contains("callbridge_event_loop_lag_seconds_count{loop=\"test-loop\"}");
        context.runOnContext(v -> lag[0].stop());
      }));
    });
  }
}
