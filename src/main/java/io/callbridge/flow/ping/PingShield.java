package io.callbridge.flow.ping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.TimeUnit;

/**
 * The ping shield: the winning bid of a ping, kept for as long as it can still be transferred, so
 * an identical ping (same route, caller id and tag set) is answered from memory instead of
 * costing another Ringba ping (pings can be charged and rate-limited, code 1024). A bid with less
 * than {@code minTransferSeconds} of life left is never handed out; it is dropped when looked at.
 */
final class PingShield {
  private final Cache<String, TargetResult> bids;
  private final long minLifeMs;

  PingShield(int maxEntries, int minTransferSeconds, java.time.Clock clock) {
    this.minLifeMs = minTransferSeconds * 1000L;
    this.bids = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        // Memory only: whether an entry may still be used is decided by the route's clock in lookup().
        .expireAfter(new Expiry<String, TargetResult>() {
          @Override
          public long expireAfterCreate(String key, TargetResult value, long currentTime) {
            long ms = value.bid().lifeLeftMs(clock.millis()) - minLifeMs;
            return TimeUnit.MILLISECONDS.toNanos(Math.max(ms, 0) + 1000);
          }

          @Override
          public long expireAfterUpdate(String key, TargetResult value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(String key, TargetResult value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** The winner of an identical earlier ping that still has enough life left, or null. */
  TargetResult lookup(String key, long nowMs) {
    TargetResult hit = bids.getIfPresent(key);
    if (hit == null) {
      return null;
    }
    if (hit.bid().lifeLeftMs(nowMs) < minLifeMs) {
      bids.asMap().remove(key, hit);
      return null;
    }
    return hit;
  }

  void remember(String key, TargetResult winner, long nowMs) {
    if (winner.bid().lifeLeftMs(nowMs) >= minLifeMs) {
      bids.put(key, winner);
    }
  }

  long size() {
    return bids.estimatedSize();
  }
}
