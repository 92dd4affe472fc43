package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.metrics.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The write queue without PostgreSQL: links joining waiting writes while batches take them. */
class WriteBehindTest {
  static final long T0 = Instant.parse("2026-11-27T12:00:00Z").toEpochMilli();

  @Test
  void everyCallsLatestRecordIsTakenWhateverTheInterleavingOfLinksAndBatches() throws Exception {
    LinkCache cache = new LinkCache(1_000_000, Duration.ofHours(48), Duration.ofHours(2), T0);
    WriteBehind writeBehind = new WriteBehind(1_000_000, 100, 2, null,
        new CorrelationMetrics(new Metrics(), () -> 0, () -> 0));
    int calls = 40;
    AtomicLong clock = new AtomicLong(T0);
    AtomicBoolean linking = new AtomicBoolean(true);
    Set<CallRecord> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    Thread batches = new Thread(() -> {
      while (linking.get()) {
        List<CallRecord> batch = writeBehind.take(100);
        synchronized (taken) {
          taken.addAll(batch);
        }
        Thread.onSpinWait();
      }
    });
    batches.start();
    List<Thread> linkers = new ArrayList<>();
    AtomicLong refused = new AtomicLong();
    for (int t = 0; t < 3; t++) {
      Thread linker = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 30_000; i++) {
          int call = random.nextInt(calls);
          // Mostly the same bid again (nothing new), sometimes a newer bid (a merge).
          String bid = "RTB-" + call + "-" + (random.nextInt(8) == 0 ? i : 0);
          CallRecord r = cache.link(CallLink.builder().callUuid("td-" + call).bid(bid, 4.2, null).build(), "r",
              clock.incrementAndGet());
          if (!writeBehind.offer(r)) {
            refused.incrementAndGet();
          }
        }
      });
      linker.start();
      linkers.add(linker);
    }
    for (Thread linker : linkers) {
      linker.join();
    }
    linking.set(false);
    batches.join();
    taken.addAll(writeBehind.take(Integer.MAX_VALUE));
    assertThat(refused.get()).isZero();
    assertThat(writeBehind.depth()).isZero();
    assertThat(taken.size()).as("writes taken, far fewer than the 90,000 links").isLessThan(90_000);
    for (int call = 0; call < calls; call++) {
      CallRecord latest = cache.get(IdKind.CALL_UUID, "td-" + call, clock.get());
      assertThat(taken).as("the latest record of call " + call + " was written").contains(latest);
      assertThat(latest.queued).isNull();
    }
  }
}
