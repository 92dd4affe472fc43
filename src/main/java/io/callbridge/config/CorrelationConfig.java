package io.callbridge.config;

import java.time.Duration;

/**
 * The call-id link store: cache bounds ({@code cacheMaxEntries} calls, each with all its ids;
 * {@code cacheMaxAge} after its last write), write-behind batching ({@code flushBatch} queued calls or
 * {@code flushInterval}, whichever first; up to {@code flushConcurrency} batches in flight), the
 * bounded write queue, retention ({@code purgeBatch} rows per delete).
 */
public record CorrelationConfig(
    long cacheMaxEntries,
    Duration cacheMaxAge,
    Duration callerIdWindow,
    int flushBatch,
    Duration flushInterval,
    int queueCapacity,
    Duration retention,
    Duration purgeInterval,
    int flushConcurrency,
    int purgeBatch) {

  public static CorrelationConfig defaults() {
    return new CorrelationConfig(1_000_000, Duration.ofHours(48), Duration.ofHours(2), 500,
        Duration.ofMillis(50), 100_000, Duration.ofDays(35), Duration.ofMinutes(10), 2, 5_000);
  }

  static CorrelationConfig parse(Node n) {
    CorrelationConfig d = defaults();
    long entries = n.get("cacheMaxEntries").asLong(d.cacheMaxEntries, 1, Long.MAX_VALUE);
    Duration age = n.duration("cacheMaxAge", d.cacheMaxAge);
    Duration window = n.duration("callerIdWindow", d.callerIdWindow);
    int batch = n.integer("flushBatch", d.flushBatch, 1, 10_000);
    Duration interval = n.duration("flushInterval", d.flushInterval);
    int queue = n.integer("queueCapacity", d.queueCapacity, 1, 10_000_000);
    Duration retention = n.duration("retention", d.retention);
    Duration purge = n.duration("purgeInterval", d.purgeInterval);
    int concurrency = n.integer("flushConcurrency", d.flushConcurrency, 1, 64);
    int purgeBatch = n.integer("purgeBatch", d.purgeBatch, 1, 1_000_000);
    if (interval.isZero() || interval.isNegative()) {
      n.get("flushInterval").error("must be more than 0, got " + interval.toMillis() + "ms");
    }
    if (purge.isZero() || purge.isNegative()) {
      n.get("purgeInterval").error("must be more than 0, got " + purge.toMillis() + "ms");
    }
    n.finish();
    return new CorrelationConfig(entries, age, window, batch, interval, queue, retention, purge, concurrency,
        purgeBatch);
  }
}
