package io.callbridge.flow.enrich;

import io.callbridge.config.RouteConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.upstream.Outcome;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code callbridge_enrich_requests_total{route,result}} (accept, reject, async, repeat, invalid) and
 * {@code callbridge_enrich_target_outcomes_total{route,target,outcome}}.
 */
final class EnrichMetrics {
  private final Metrics metrics;
  private final String route;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  EnrichMetrics(Metrics metrics, RouteConfig route) {
    this.metrics = metrics;
    this.route = route.name();
  }

  void result(String result) {
    counters.computeIfAbsent("r|" + result, k -> metrics.counter("callbridge.enrich.requests",
        "Enrich requests by route and result", "route", route, "result", result)).increment();
  }

  void target(String target, Outcome outcome) {
    String label = outcome.kind().label();
    counters.computeIfAbsent("t|" + target + '|' + label, k -> metrics.counter("callbridge.enrich.target.outcomes",
        "Enrich fan-out outcomes by route, target and outcome", "route", route, "target", target, "outcome", label))
        .increment();
  }
}
