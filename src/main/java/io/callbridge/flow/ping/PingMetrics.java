package io.callbridge.flow.ping;

import io.callbridge.flow.ping.Selection.Reason;
import io.callbridge.flow.ping.TargetResult.Result;
import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code callbridge_ping_*} meters of one route, all registered up front (reject codes on
 * first sight, from Ringba's bounded list) so a ping never builds a meter id.
 */
final class PingMetrics {
  static final Set<Integer> KNOWN_CODES = Set.of(1001, 1002, 1003, 1004, 1005, 1006, 1007, 1024, 1025, 1100);

  private final Metrics metrics;
  private final String route;
  private final Map<Reason, Counter> noBid = new EnumMap<>(Reason.class);
  private final Counter accepted;
  private final Counter acceptedCached;
  private final Counter invalidInput;
  private final Counter shieldHits;
  /**
   * Bucket bounds for winning bids, fine where pay-per-call bids fall ($5-$60), so a quantile
   * interpolated inside a bucket is off by at most its width: $1 to $10, $2-2.50 to $30, $5 to $50.
   */
  static final double[] BID_BUCKETS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 22.5, 25, 27.5, 30, 35,
      40, 45, 50, 60, 70, 80, 90, 100, 150, 200, 300};

  private final Timer latency;
  private final DistributionSummary winning;
  private final List<Map<Result, Counter>> bids;
  private final List<Map<Integer, Counter>> rejects;
  private final List<String> targets;

  PingMetrics(Metrics metrics, String route, List<String> targets) {
    this.metrics = metrics;
    this.route = route;
    this.targets = targets;
    String pings = "callbridge_ping_requests_total";
    String help = "Pings answered, by route and result (accepted or the no-bid reason)";
    accepted = metrics.counter(pings, help, "route", route, "result", "accepted", "cached", "false");
    acceptedCached = metrics.counter(pings, help, "route", route, "result", "accepted", "cached", "true");
    for (Reason r : Reason.values()) {
      noBid.put(r, metrics.counter(pings, help, "route", route, "result", r.word, "cached", "false"));
    }
    invalidInput = metrics.counter(pings, help, "route", route, "result", "invalid_input", "cached", "false");
    shieldHits = metrics.counter("callbridge_ping_shield_hits_total",
        "Pings answered from the ping shield without pinging Ringba", "route", route);
    latency = metrics.latency("callbridge_ping_latency_seconds", "Ping received -> answer ready", "route", route);
    winning = DistributionSummary.builder("callbridge_ping_winning_bid_amount")
        .description("bidAmount of the winning bid (currency units)")
        .tags("route", route)
        .serviceLevelObjectives(BID_BUCKETS)
        .register(metrics.registry());
    bids = new java.util.ArrayList<>();
    rejects = new java.util.ArrayList<>();
    for (String t : targets) {
      Map<Result, Counter> byResult = new EnumMap<>(Result.class);
      for (Result r : Result.values()) {
        if (r != Result.REJECTED) {
          byResult.put(r, bidCounter(t, r.word, "none"));
        }
      }
      bids.add(byResult);
      rejects.add(new ConcurrentHashMap<>());
    }
  }

  private Counter bidCounter(String target, String result, String code) {
    return metrics.counter("callbridge_ping_bids_total", "Answers of RTB targets, by target, result and reject code",
        "route", route, "target", target, "result", result, "reject_code", code);
  }

  void invalidInput() {
    invalidInput.increment();
  }

  void shieldHit(double amount, long nanos) {
    shieldHits.increment();
    acceptedCached.increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  void answered(Selection.Outcome outcome, long nanos) {
    for (TargetResult r : outcome.results()) {
      if (r.result() == Result.REJECTED) {
        int code = KNOWN_CODES.contains(r.bid().rejectCode()) ? r.bid().rejectCode() : 0;
        rejects.get(r.index()).computeIfAbsent(code,
            c -> bidCounter(targets.get(r.index()), "rejected", c == 0 ? "other" : Integer.toString(c))).increment();
      } else {
        bids.get(r.index()).get(r.result()).increment();
      }
    }
    if (outcome.accepted()) {
      accepted.increment();
      winning.record(outcome.winner().bid().amount());
    } else {
      noBid.get(outcome.reason()).increment();
    }
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
