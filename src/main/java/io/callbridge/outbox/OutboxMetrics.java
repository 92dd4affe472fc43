package io.callbridge.outbox;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code callbridge_postback_*} (what callers sent: accepted, duplicates, rejected, by route) and
 * {@code callbridge_outbox_*} (depth by status, oldest pending age, attempts by destination and
 * outcome, accept-to-delivery delay). Tags are names from configuration and fixed words only.
 */
public final class OutboxMetrics {
  static final List<String> STATUSES = List.of("pending", "delivered", "dead", "unmatched", "conflict", "reconciled",
      "cancelled", "skipped");
  private static final Duration[] DELAY_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(30),
      Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(24), Duration.ofHours(48)};

  private final Metrics metrics;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> delays = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> depth = new ConcurrentHashMap<>();
  private final AtomicLong oldestPendingMs = new AtomicLong();
  private final AtomicLong oldestUnmatchedMs = new AtomicLong();

  public OutboxMetrics(Metrics metrics) {
    this.metrics = metrics;
    for (String s : STATUSES) {
      if (s.equals("delivered")) {
        continue; // the bulk of the table; counted by callbridge_outbox_attempts_total{outcome="delivered"}
      }
      AtomicLong v = new AtomicLong();
      depth.put(s, v);
      Gauge.builder("callbridge.outbox.depth", v, AtomicLong::get).description("Outbox rows not delivered, by status")
          .tag("status", s).register(metrics.registry());
    }
    Gauge.builder("callbridge.outbox.oldest.pending.seconds", oldestPendingMs, a -> a.get() / 1000.0)
        .description("Age of the oldest row still to deliver (0 when none)").register(metrics.registry());
    Gauge.builder("callbridge.outbox.oldest.unmatched.seconds", oldestUnmatchedMs, a -> a.get() / 1000.0)
        .description("Age of the oldest unmatched postback (0 when none); past outbox.rematchWindow it waits for a person")
        .register(metrics.registry());
  }

  /** The last depth read for {@code status} (refreshed every 5 s). */
  long depthOf(String status) {
    AtomicLong v = depth.get(status);
    return v == null ? 0 : v.get();
  }

  /** An unmatched row looked up again by itself or by replay: {@code found} its call, or was a {@code copy}. */
  void rematched(String result) {
    count("callbridge.outbox.rematched", "Unmatched postbacks that found their call later (found), or were a copy of "
        + "one matched at ingest (copy)", "result", result);
  }

  /** Inbound postbacks: {@code result} is accepted, duplicate, superseded, conflict or unmatched. */
  public void accepted(String route, String result) {
    count("callbridge.postback.accepted", "Postbacks stored (202) by route and result", "route", route, "result", result);
  }

  public void duplicate(String route) {
    count("callbridge.postback.duplicates", "Postbacks recognised as a copy of an earlier one (200)", "route", route);
  }

  /** {@code reason}: invalid (4xx) or unavailable (503, database away). */
  public void rejected(String route, String reason) {
    count("callbridge.postback.rejected", "Postbacks refused by route and reason", "route", route, "reason", reason);
  }

  void attempt(String destination, String outcome) {
    count("callbridge.outbox.attempts", "Delivery attempts by destination and outcome", "destination", destination,
        "outcome", outcome);
  }

  void delivered(String route, Duration sinceAccept) {
    delays.computeIfAbsent(route, r -> Timer.builder("callbridge.outbox.delivery.delay")
        .description("Time from accept (commit) to the destination's 2xx")
        .tag("route", r)
        .serviceLevelObjectives(DELAY_BUCKETS)
        .register(metrics.registry())).record(sinceAccept);
  }

  void purged(long rows) {
    metrics.counter("callbridge.outbox.purged.rows", "Finished outbox rows deleted after correlation.retention")
        .increment(rows);
  }

  void depth(Map<String, Long> byStatus, long oldestPendingAgeMs, long oldestUnmatchedAgeMs) {
    depth.forEach((s, v) -> v.set(byStatus.getOrDefault(s, 0L)));
    oldestPendingMs.set(Math.max(0, oldestPendingAgeMs));
    oldestUnmatchedMs.set(Math.max(0, oldestUnmatchedAgeMs));
  }

  private void count(String name, String description, String... tags) {
    counters.computeIfAbsent(name + String.join("|", tags), k -> metrics.counter(name, description, tags)).increment();
  }
}
