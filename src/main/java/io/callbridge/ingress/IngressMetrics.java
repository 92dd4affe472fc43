package io.callbridge.ingress;

import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-route RED meters: {@code callbridge_route_requests_total{route,kind,status}} and latency.
 * A request only looks its meters up (route name, then status as an index): no meter ids, keys
 * or strings are built per request.
 */
public final class IngressMetrics {
  private final Metrics metrics;
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

  public IngressMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  private final class RouteMeters {
    final String route;
    final String kind;
    final Timer latency;
    final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

    RouteMeters(String route, String kind) {
      this.route = route;
      this.kind = kind;
      this.latency = metrics.latency("callbridge.route.latency", "Time from request received to answer written",
          "route", route, "kind", kind);
    }

    Counter counter(int status) {
      int i = status >= 100 && status < 600 ? status : 0;
      Counter c = byStatus.get(i);
      if (c == null) {
        c = metrics.counter("callbridge.route.requests", "Inbound requests by route and status", "route", route,
            "kind", kind, "status", Integer.toString(status));
        byStatus.set(i, c);
      }
      return c;
    }
  }

  /** route -> token name -> counter, and route -> reason -> counter: looked up, never a key built per request. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> auth = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> refused = new ConcurrentHashMap<>();

  /**
   * {@code callbridge_auth_requests_total{route,token}}: requests by the name of the token they showed
   * ({@code invalid} for none that matched). Names come from configuration: the tag stays bounded.
   */
  void auth(String route, String tokenName) {
    named(auth, route).computeIfAbsent(tokenName, k -> metrics.counter("callbridge.auth.requests",
        "Requests by route and the name of the token they showed", "route", route, "token", tokenName)).increment();
  }

  /** {@code callbridge_route_refused_total{route,reason}}: source (allowFrom), rate_route, rate_caller. */
  void refused(String route, String reason) {
    named(refused, route).computeIfAbsent(reason, k -> metrics.counter("callbridge.route.refused",
        "Requests refused before their flow: a source outside allowFrom, or over a rate limit", "route", route,
        "reason", reason)).increment();
  }

  private static ConcurrentHashMap<String, Counter> named(ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> all,
      String route) {
    ConcurrentHashMap<String, Counter> m = all.get(route);
    return m != null ? m : all.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
  }

  /** {@code callbridge_event_loop_lag_seconds{loop}}: see {@link LoopLag}. */
  Timer loopLag(String loop) {
    return metrics.latency("callbridge.event.loop.lag", "How late an event loop runs a timer that is due", "loop", loop);
  }

  void record(String route, String kind, int status, long nanos) {
    RouteMeters m = routes.get(route);
    if (m == null) {
      m = routes.computeIfAbsent(route, r -> new RouteMeters(r, kind));
    }
    m.counter(status).increment();
    m.latency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
