package io.callbridge.reconcile;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Gauge;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last reconciliation's figures: {@code callbridge_reconcile_mismatches{kind}},
 * {@code callbridge_reconcile_at_stake_dollars}, {@code callbridge_reconcile_last_run_timestamp_seconds}
 * (of the last run that finished), and {@code callbridge_reconcile_runs_total{result}} (clean,
 * mismatches, failed).
 */
public final class ReconcileMetrics {
  static final List<String> KINDS = List.of("amount_differs", "converted_one_side", "missing_on_ringba",
      "missing_on_trackdrive", "duplicate", "not_linked");

  private final Metrics metrics;
  private final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
  private final AtomicLong centsAtStake = new AtomicLong();
  private final AtomicLong lastRun = new AtomicLong();

  public ReconcileMetrics(Metrics metrics) {
    this.metrics = metrics;
    for (String kind : KINDS) {
      AtomicLong n = new AtomicLong();
      byKind.put(kind, n);
      Gauge.builder("callbridge_reconcile_mismatches", n, AtomicLong::get)
          .description("Calls whose money differs between Ringba and TrackDrive, by kind, in the last reconciliation")
          .tag("kind", kind).register(metrics.registry());
    }
    Gauge.builder("callbridge_reconcile_at_stake_dollars", centsAtStake, c -> c.get() / 100.0)
        .description("Money at stake in the last reconciliation's mismatches").register(metrics.registry());
    Gauge.builder("callbridge_reconcile_last_run_timestamp_seconds", lastRun, AtomicLong::get)
        .description("When the last reconciliation finished (epoch seconds; 0: none yet)").register(metrics.registry());
  }

  void finished(Report report, long epochSeconds) {
    KINDS.forEach(k -> byKind.get(k).set(report.mismatches().stream().filter(m -> m.kind().equals(k)).count()));
    centsAtStake.set(report.atStake().movePointRight(2).longValue());
    lastRun.set(epochSeconds);
    metrics.counter("callbridge.reconcile.runs", "Reconciliation runs by result", "result",
        report.mismatches().isEmpty() ? "clean" : "mismatches").increment();
  }

  void failed() {
    metrics.counter("callbridge.reconcile.runs", "Reconciliation runs by result", "result", "failed").increment();
  }
}
