package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.callbridge.config.DestinationConfig;
import io.callbridge.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outbound side of CallBridge: one HTTP client and one circuit breaker per configured
 * destination, metrics per destination. {@link #send} never fails; no request is made without
 * budget ({@link #MIN_BUDGET}); when the budget ends the request is reset.
 *
 * <p>Metrics: {@code callbridge_upstream_requests_total{destination,outcome}},
 * {@code callbridge_upstream_latency_seconds{destination}} (every outcome that tried to send),
 * {@code callbridge_upstream_breaker_state{destination}} (0 closed, 1 half-open, 2 open),
 * {@code callbridge_upstream_pool_in_use{destination}} and {@code callbridge_upstream_pool_waiting{destination}}.
 */
public final class Upstream implements UpstreamClient {
  /** Below this much time left, a call is not made ({@link Outcome.NoBudget}). */
  public static final Duration MIN_BUDGET = OutboundCall.MIN_BUDGET;

  private final Map<String, Destination> destinations;
  private final Clock clock;

  private record Destination(HttpDestination http, Breakers breaker, Map<Outcome.Kind, Counter> requests,
      Timer latency) {}

  private Upstream(Map<String, Destination> destinations, Clock clock) {
    this.destinations = destinations;
    this.clock = clock;
  }

  public static Upstream create(Vertx vertx, Map<String, DestinationConfig> configs, Metrics metrics, Clock clock) {
    return create(vertx, configs, metrics, clock, 1);
  }

  /**
   * {@code loops}: the event loops that send (the public server's instances). Each gets its own
   * share of every destination's pool, so a request never changes threads.
   */
  public static Upstream create(Vertx vertx, Map<String, DestinationConfig> configs, Metrics metrics, Clock clock,
      int loops) {
    Map<String, Destination> out = new LinkedHashMap<>();
    for (DestinationConfig c : configs.values()) {
      HttpDestination http = new HttpDestination(vertx, c, clock, loops);
      Breakers breaker = new Breakers(vertx, c.name(), c.breaker());
      Map<Outcome.Kind, Counter> requests = new EnumMap<>(Outcome.Kind.class);
      for (Outcome.Kind k : Outcome.Kind.values()) {
        requests.put(k, metrics.counter("callbridge_upstream_requests_total",
            "Outbound requests by destination and outcome", "destination", c.name(), "outcome", k.label()));
      }
      Timer latency = metrics.latency("callbridge_upstream_latency_seconds",
          "Outbound request latency by destination (send to outcome)", "destination", c.name());
      Gauge.builder("callbridge_upstream_breaker_state", breaker, Breakers::stateCode)
          .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
          .tag("destination", c.name()).register(metrics.registry());
      Gauge.builder("callbridge_upstream_pool_in_use", http.inUse, Number::doubleValue)
          .description("Outbound requests holding a pooled connection").tag("destination", c.name())
          .register(metrics.registry());
      Gauge.builder("callbridge_upstream_pool_waiting", http.waiting, Number::doubleValue)
          .description("Outbound requests waiting for a pooled connection").tag("destination", c.name())
          .register(metrics.registry());
      out.put(c.name(), new Destination(http, breaker, requests, latency));
    }
    return new Upstream(Map.copyOf(out), clock);
  }

  /**
   * Sends {@code request} to {@code destination} within {@code deadline} (give it the inbound
   * deadline minus the route's reply reserve). Never fails. An unknown destination is a bug
   * (configuration validates names) and throws {@link IllegalArgumentException}.
   */
  @Override
  public Future<Outcome> send(String destination, OutboundRequest request, Deadline deadline, Future<Void> cancel) {
    Destination d = destination(destination);
    Duration remaining = deadline.remaining();
    Future<Outcome> outcome;
    if (remaining.compareTo(MIN_BUDGET) < 0) {
      outcome = Future.succeededFuture(new Outcome.NoBudget(remaining));
    } else {
      outcome = d.breaker.execute(() -> d.http.send(request, deadline, cancel));
    }
    return outcome.onSuccess(o -> record(d, o));
  }

  /** A fan-out over this client. */
  public FanOut fanOut() {
    return new FanOut(this);
  }

  /** 0 closed, 1 half-open, 2 open. */
  public int breakerState(String destination) {
    return destination(destination).breaker.stateCode();
  }

  public List<String> destinations() {
    return List.copyOf(destinations.keySet());
  }

  /** Closes every client (in-flight requests fail over to their outcomes) and breaker. */
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Destination d : destinations.values()) {
      d.breaker.close();
      closing.add(d.http.close());
    }
    return Future.join(closing).mapEmpty();
  }

  private Destination destination(String name) {
    Destination d = destinations.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown destination '" + name + "' (configured: " + destinations.keySet() + ")");
    }
    return d;
  }

  private static void record(Destination d, Outcome o) {
    d.requests.get(o.kind()).increment();
    if (o.kind() != Outcome.Kind.NO_BUDGET && o.kind() != Outcome.Kind.BREAKER_OPEN) {
      d.latency.record(o.latency().toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
