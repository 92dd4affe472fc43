package io.callbridge.flow.lead;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ConcurrentHashMap;

/** {@code callbridge_lead_requests_total{route,result}}: accepted, duplicate, invalid, unavailable. */
final class LeadMetrics {
  private final Metrics metrics;
  private final String route;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  LeadMetrics(Metrics metrics, String route) {
    this.metrics = metrics;
    this.route = route;
  }

  void result(String result) {
    counters.computeIfAbsent(result, r -> metrics.counter("callbridge.lead.requests",
        "Lead pixels by route and result", "route", route, "result", r)).increment();
  }
}
