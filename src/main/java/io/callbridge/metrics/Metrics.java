package io.callbridge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;

/**
 * The one Prometheus registry of a process: Vert.x's own meters (HTTP server and client, pools,
 * JVM) and CallBridge's {@code callbridge_*} meters. Tags carry bounded values only (route and
 * destination names from configuration, status codes, outcome words), never paths or ids.
 */
public final class Metrics {
  /** Latency buckets fine enough for a millisecond-level gateway, up to the longest deadline. */
  public static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(3), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(30), Duration.ofMillis(50),
      Duration.ofMillis(75), Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(200),
      Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofMillis(750), Duration.ofSeconds(1),
      Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry;

  /** The request methods that keep their own name in Vert.x's {@code method} tag; any other is {@code OTHER}. */
  static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
      "OPTIONS", "TRACE", "CONNECT");

  public Metrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A caller can send any token as the method: the tag must stay bounded whatever arrives.
    registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.replaceTagValues("method",
        m -> METHODS.contains(m) ? m : "OTHER"));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Vert.x options that plug this registry into Vert.x (HTTP server/client, pools, JVM). */
  public VertxOptions vertxOptions(VertxOptions base) {
    return vertxOptions(base, true);
  }

  /** As {@link #vertxOptions(VertxOptions)}; without Vert.x's per-request HTTP and TCP meters when {@code httpMeters} is false. */
  public VertxOptions vertxOptions(VertxOptions base, boolean httpMeters) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(java.util.EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
            Label.CLIENT_NAME, Label.LOCAL));
    if (!httpMeters) {
      options.setDisabledMetricsCategories(java.util.Set.of(MetricsDomain.HTTP_SERVER.toCategory(),
          MetricsDomain.HTTP_CLIENT.toCategory(), MetricsDomain.NET_SERVER.toCategory(), MetricsDomain.NET_CLIENT.toCategory()));
    }
    return base.setMetricsOptions(options);
  }

  public MicrometerMetricsFactory vertxFactory() {
    return new MicrometerMetricsFactory(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** A latency timer with {@link #LATENCY_BUCKETS} as histogram buckets. */
  public Timer latency(String name, String description, String... tags) {
    return Timer.builder(name)
        .description(description)
        .tags(tags)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  public Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }
}
