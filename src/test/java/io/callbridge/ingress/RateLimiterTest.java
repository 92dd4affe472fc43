package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.RateLimit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void aBurstThenTheRateAndAWaitThatSaysWhenTheNextOneFits() {
    RateLimiter limiter = new RateLimiter(new RateLimit(10, 3, false, 1), now::get); // 10/s, burst 3
    assertThat(limiter.takeRoute()).isZero();
    assertThat(limiter.takeRoute()).isZero();
    assertThat(limiter.takeRoute()).isZero();
    long wait = limiter.takeRoute();
    assertThat(wait).isEqualTo(100_000_000L); // one interval of 100 ms
    assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);
    now.addAndGet(99_000_000L);
    assertThat(limiter.takeRoute()).isPositive();
    now.addAndGet(1_000_000L);
    assertThat(limiter.takeRoute()).isZero();
    now.addAndGet(10_000_000_000L); // idle for 10 s: the burst is back, not more
    assertThat(limiter.takeRoute()).isZero();
    assertThat(limiter.takeRoute()).isZero();
    assertThat(limiter.takeRoute()).isZero();
    assertThat(limiter.takeRoute()).isPositive();
  }

  @Test
  void eachCallerHasItsOwnBucketWhateverFormatItsNumberIsWrittenIn() {
    RateLimiter limiter = new RateLimiter(new RateLimit(1, 1, true, 100), now::get);
    assertThat(limiter.takeCaller("+1 (312) 555-0100")).isZero();
    assertThat(limiter.takeCaller("13125550100")).as("the same caller").isPositive();
    assertThat(limiter.takeCaller("3125550100")).as("the same caller").isPositive();
    assertThat(limiter.takeCaller("+13125550101")).as("another caller").isZero();
    assertThat(limiter.takeCaller("anonymous")).as("no digits: not limited per caller").isZero();
  }

  @Test
  void manyThreadsTakeExactlyTheBurstBetweenThem() throws Exception {
    RateLimiter limiter = new RateLimiter(new RateLimit(0.001, 1000, false, 1), now::get);
    AtomicLong allowed = new AtomicLong();
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          if (limiter.takeRoute() == 0) {
            allowed.incrementAndGet();
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(allowed.get()).isEqualTo(1000);
  }
}
