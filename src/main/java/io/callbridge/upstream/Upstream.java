package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.callbridge.config.BreakerConfig;
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
 * The outbound side of CallBridge: one HTTP client per configured destination, wrapped in that
 * destination's circuit breaker ({@link Breakers}, a decorator), metrics per destination.
 * {@link #send} never fails; no request is made without budget ({@link #MIN_BUDGET}); when the
 * budget ends the request is reset.
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
  /** The HTTP clients wrapped in their breakers. */
  private final Breakers guarded;

  private record Destination(HttpDestination http, Map<Outcome.Kind, Counter> requests, Timer latency) {}

  private Upstream(Map<String, Destination> destinations, Breakers guarded) {
    this.destinations = destinations;
    this.guarded = guarded;
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
    Map<String, HttpDestination> clients = new LinkedHashMap<>();
    Map<String, BreakerConfig> breakerConfigs = new LinkedHashMap<>();
    for (DestinationConfig c : configs.values()) {
      clients.put(c.name(), new HttpDestination(vertx, c, clock, loops));
      breakerConfigs.put(c.name(), c.breaker());
    }
    UpstreamClient plain = (destination, request, deadline, cancel) ->
        clients.get(destination).send(request, deadline, cancel);
    Breakers breakers = new Breakers(vertx, breakerConfigs, plain);
    Map<String, Destination> out = new LinkedHashMap<>();
    for (DestinationConfig c : configs.values()) {
      HttpDestination http = clients.get(c.name());
      Map<Outcome.Kind, Counter> requests = new EnumMap<>(Outcome.Kind.class);
      for (Outcome.Kind k : Outcome.Kind.values()) {
        requests.put(k, metrics.counter("callbridge_upstream_requests_total",
            "Outbound requests by destination and outcome", "destination", c.name(), "outcome", k.label()));
      }
      Timer latency = metrics.latency("callbridge_upstream_latency_seconds",
          "Outbound request latency by destination (send to outcome)", "destination", c.name());
      Gauge.builder("callbridge_upstream_breaker_state", breakers, b -> b.stateCode(c.name()))
          .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
          .tag("destination", c.name()).register(metrics.registry());
      Gauge.builder("callbridge_upstream_pool_in_use", http.inUse, Number::doubleValue)
          .description("Outbound requests holding a pooled connection").tag("destination", c.name())
          .register(metrics.registry());
      Gauge.builder("callbridge_upstream_pool_waiting", http.waiting, Number::doubleValue)
          .description("Outbound requests waiting for a pooled connection").tag("destination", c.name())
          .register(metrics.registry());
      out.put(c.name(), new Destination(http, requests, latency));
    }
    return new Upstream(Map.copyOf(out), breakers);
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
      outcome = guarded.send(destination, request, deadline, cancel);
    }
    return outcome.onSuccess(o -> record(d, o));
  }

  /** A fan-out over this client. */
  public FanOut fanOut() {
    return new FanOut(this);
  }

  /** 0 closed, 1 half-open, 2 open. */
  public int breakerState(String destination) {
    destination(destination);
    return guarded.stateCode(destination);
  }

  public List<String> destinations() {
    return List.copyOf(destinations.keySet());
  }

  /** Closes every client (in-flight requests fail over to their outcomes) and breaker. */
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    guarded.close();
    for (Destination d : destinations.values()) {
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
