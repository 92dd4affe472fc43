package io.callbridge.ingress;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callbridge.config.RateLimit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A route's {@code rateLimit}: a token bucket kept as one number (GCRA: the "theoretical arrival
 * time" of the next request), updated by compare-and-set, so every event loop shares it without a
 * lock and a decision costs a clock read and a CAS. With {@code perCallerId}, each caller id has its
 * own bucket as well, in a bounded cache (the least recently used callers leave first).
 */
final class RateLimiter {
  /** Nanoseconds until a request would be allowed, or 0 when it is (and has been counted). */
  interface Bucket {
    long take();
  }

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong routeTat;
  private final Cache<String, AtomicLong> callers;

  RateLimiter(RateLimit limit, LongSupplier nanoTime) {
    this.intervalNanos = Math.max(1, Math.round(1e9 / limit.perSecond()));
    this.toleranceNanos = intervalNanos * (long) limit.burst();
    this.nanoTime = nanoTime;
    this.routeTat = new AtomicLong(nanoTime.getAsLong());
    this.callers = limit.perCallerId()
        ? Caffeine.newBuilder().maximumSize(limit.maxCallers()).expireAfterAccess(Duration.ofHours(1)).build()
        : null;
  }

  /** The route's bucket: 0 when allowed, else the wait in nanoseconds. */
  long takeRoute() {
    return take(routeTat);
  }

  boolean perCaller() {
    return callers != null;
  }

  /** The caller's own bucket (its digits are the key, so +1 (312) 555-0100 and 13125550100 share one). */
  long takeCaller(String callerId) {
    String key = digits(callerId);
    if (key.isEmpty()) {
      return 0;
    }
    AtomicLong tat = callers.get(key, k -> new AtomicLong(nanoTime.getAsLong()));
    return take(tat);
  }

  private long take(AtomicLong tat) {
    while (true) {
      long now = nanoTime.getAsLong();
      long current = tat.get();
      long next = Math.max(current, now) + intervalNanos;
      long over = next - now - toleranceNanos;
      if (over > 0) {
        return over;
      }
      if (tat.compareAndSet(current, next)) {
        return 0;
      }
    }
  }

  private static String digits(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        sb.append(c);
      }
    }
    // The last 10 digits of a NANP number with or without its country code are one caller.
    return sb.length() == 11 && sb.charAt(0) == '1' ? sb.substring(1) : sb.toString();
  }

  /** Whole seconds for a Retry-After header: at least 1. */
  static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }
}
