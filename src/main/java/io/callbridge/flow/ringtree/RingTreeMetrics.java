package io.callbridge.flow.ringtree;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code callbridge_ring_tree_*} meters of one route, all registered up front from bounded
 * word lists, so a ping never builds a meter id.
 */
final class RingTreeMetrics {
  static final List<String> PING_RESULTS = List.of("accepted", "no_bid", "all_rejected", "timeout", "below_floor",
      "invalid_input");
  static final List<String> BID_RESULTS = List.of("accepted", "no_bid", "rejected", "below_floor", "not_configured",
      "timeout", "refused", "http_error", "breaker_open", "no_budget", "invalid_response", "no_connection");
  static final List<String> ACCEPT_RESULTS = List.of("accepted", "unknown_bid", "expired", "caller_id_mismatch",
      "refused", "invalid_input", "not_configured", "timeout", "http_error", "breaker_open", "no_budget",
      "invalid_response", "no_connection");

  private final Map<String, Counter> pings = new HashMap<>();
  private final List<Map<String, Counter>> bids = new ArrayList<>();
  private final Map<String, Counter> accepts = new HashMap<>();
  private final Timer pingLatency;
  private final Timer acceptLatency;

  RingTreeMetrics(Metrics metrics, String route, List<String> targets) {
    String help = "Ring tree pings from Ringba answered, by route, result and whether the ping shield answered";
    for (String r : PING_RESULTS) {
      pings.put(r + "/false", metrics.counter("callbridge_ring_tree_pings_total", help, "route", route, "result", r,
          "cached", "false"));
    }
    pings.put("accepted/true", metrics.counter("callbridge_ring_tree_pings_total", help, "route", route, "result",
        "accepted", "cached", "true"));
    for (String t : targets) {
      Map<String, Counter> byResult = new HashMap<>();
      for (String r : BID_RESULTS) {
        byResult.put(r, metrics.counter("callbridge_ring_tree_bids_total",
            "What each TrackDrive inbound webhook answered a ring tree ping", "route", route, "target", t, "result", r));
      }
      bids.add(byResult);
    }
    for (String r : ACCEPT_RESULTS) {
      accepts.put(r, metrics.counter("callbridge_ring_tree_accepts_total",
          "Ringba bid acceptances answered, by route and result (accepted: TrackDrive's post gave a number)",
          "route", route, "result", r));
    }
    pingLatency = metrics.latency("callbridge_ring_tree_latency_seconds", "Ring tree step received -> answer ready",
        "route", route, "step", "ping");
    acceptLatency = metrics.latency("callbridge_ring_tree_latency_seconds", "Ring tree step received -> answer ready",
        "route", route, "step", "accept");
  }

  void ping(String result, boolean cached, long startNanos) {
    Counter c = pings.get(result + "/" + cached);
    if (c != null) {
      c.increment();
    }
    pingLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void bids(String[] results) {
    for (int i = 0; i < results.length; i++) {
      Counter c = bids.get(i).get(results[i]);
      if (c != null) {
        c.increment();
      }
    }
  }

  void accept(String result, long startNanos) {
    Counter c = accepts.get(result);
    if (c != null) {
      c.increment();
    }
    acceptLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }
}
