package io.callbridge.correlation;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** The {@code callbridge_correlation_*} meters. Tags are id kinds and outcome words, never ids. */
final class CorrelationMetrics {
  private final Counter[] hits = new Counter[IdKind.ALL.length];
  private final Counter[] misses = new Counter[IdKind.ALL.length];
  final Counter links;
  final Counter overflow;
  final Counter flushFailures;
  final Counter storeFound;
  final Counter storeAbsent;
  final Counter purged;
  final Counter matchFound;
  final Counter matchUnknown;
  final Counter matchAmbiguous;
  final DistributionSummary batchLinks;
  final DistributionSummary batchRows;
  final Timer flushLatency;

  CorrelationMetrics(Metrics metrics, Supplier<Number> cacheSize, Supplier<Number> queueDepth) {
    for (IdKind k : IdKind.ALL) {
      hits[k.ordinal()] = metrics.counter("callbridge_correlation_lookups_total",
          "find() answers by id kind: hit = from the cache, miss = read through to PostgreSQL", "kind", k.wireName(),
          "result", "hit");
      misses[k.ordinal()] = metrics.counter("callbridge_correlation_lookups_total",
          "find() answers by id kind: hit = from the cache, miss = read through to PostgreSQL", "kind", k.wireName(),
          "result", "miss");
    }
    links = metrics.counter("callbridge_correlation_links_total", "link() calls applied to the cache");
    overflow = metrics.counter("callbridge_correlation_overflow_total",
        "links not queued for PostgreSQL because the write queue was full (they stay in this instance's cache)");
    flushFailures = metrics.counter("callbridge_correlation_flush_failures_total", "write-behind batches PostgreSQL refused");
    storeFound = metrics.counter("callbridge_correlation_store_reads_total", "read-through lookups", "result", "found");
    storeAbsent = metrics.counter("callbridge_correlation_store_reads_total", "read-through lookups", "result", "absent");
    String matches = "callbridge_correlation_matches_total";
    String matchHelp = "match() answers for postbacks: found (one call), unknown, ambiguous (several calls: not credited)";
    matchFound = metrics.counter(matches, matchHelp, "result", "found");
    matchUnknown = metrics.counter(matches, matchHelp, "result", "unknown");
    matchAmbiguous = metrics.counter(matches, matchHelp, "result", "ambiguous");
    purged = metrics.counter("callbridge_correlation_purged_rows_total", "link rows removed by retention");
    batchLinks = DistributionSummary.builder("callbridge_correlation_batch_links")
        .description("records per write-behind batch (one per queued call, however often it was linked while queued)").register(metrics.registry());
    batchRows = DistributionSummary.builder("callbridge_correlation_batch_rows")
        .description("rows per write-behind batch (one per platform id)").register(metrics.registry());
    flushLatency = metrics.latency("callbridge_correlation_flush_seconds", "time of one write-behind batch insert");
    Gauge.builder("callbridge_correlation_cache_entries", cacheSize)
        .description("calls in the cache (one entry per call, whatever its number of ids)").register(metrics.registry());
    Gauge.builder("callbridge_correlation_queue_depth", queueDepth)
        .description("calls whose record waits to be written to PostgreSQL").register(metrics.registry());
  }

  void hit(IdKind kind) {
    hits[kind.ordinal()].increment();
  }

  void miss(IdKind kind) {
    misses[kind.ordinal()].increment();
  }
}
