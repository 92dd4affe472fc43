package io.callbridge.ingress;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Per-route RED meters: {@code callbridge_route_requests_total{route,kind,status}} and latency. */
public final class IngressMetrics {
  private final Metrics metrics;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  public IngressMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  void record(String route, String kind, int status, long nanos) {
    String s = Integer.toString(status);
    counters.computeIfAbsent(route + '|' + s, k -> metrics.counter("callbridge.route.requests",
        "Inbound requests by route and status", "route", route, "kind", kind, "status", s)).increment();
    timers.computeIfAbsent(route, k -> metrics.latency("callbridge.route.latency",
        "Time from request received to answer written", "route", route, "kind", kind))
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
