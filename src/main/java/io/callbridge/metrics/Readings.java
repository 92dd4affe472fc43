package io.callbridge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The console's view of the gateway's own meters, no Prometheus needed: every {@code interval} a
 * reading of the routes (requests/s, 5xx/s, p50/p99 over the interval), the destinations (the same,
 * plus breaker state and pool), the outbox, correlation and event-loop lag, kept for the last
 * {@code keep} readings (15 minutes at 10 s). Rates and quantiles are over the interval, from the
 * difference of cumulative counters and histogram buckets between two readings.
 */
public final class Readings {
  private final MeterRegistry registry;
  private final LongSupplier clock;
  private final int keep;
  private final ArrayDeque<JsonObject> history = new ArrayDeque<>();
  private Map<String, double[]> lastBuckets = new HashMap<>();
  private Map<String, Double> lastCounts = new HashMap<>();
  private long lastAt;

  public Readings(MeterRegistry registry, LongSupplier clock, int keep) {
    this.registry = registry;
    this.clock = clock;
    this.keep = keep;
    this.lastAt = clock.getAsLong();
  }

  /** Takes one reading (called every interval, on one thread) and keeps it. */
  public synchronized JsonObject take() {
    long now = clock.getAsLong();
    double seconds = Math.max(0.001, (now - lastAt) / 1000.0);
    Map<String, double[]> buckets = new HashMap<>();
    Map<String, Double> counts = new HashMap<>();
    TreeMap<String, JsonObject> routes = new TreeMap<>();
    TreeMap<String, JsonObject> destinations = new TreeMap<>();
    JsonObject outbox = new JsonObject();
    JsonObject correlation = new JsonObject();
    double lagMaxMs = 0;
    for (Meter m : registry.getMeters()) {
      String name = norm(m.getId().getName());
      if (name.equals("callbridge_route_requests") && m instanceof Counter c) {
        String route = m.getId().getTag("route");
        String key = "rr|" + route + "|" + m.getId().getTag("status");
        double delta = delta(counts, key, c.count());
        JsonObject r = routes.computeIfAbsent(route, k -> zero());
        r.put("rps", r.getDouble("rps") + delta / seconds);
        String status = m.getId().getTag("status");
        if (status != null && status.startsWith("5")) {
          r.put("errorsPerSecond", r.getDouble("errorsPerSecond") + delta / seconds);
        }
      } else if (name.equals("callbridge_route_latency") && m instanceof Timer t) {
        quantiles(routes.computeIfAbsent(m.getId().getTag("route"), k -> zero()), "rl|" + m.getId().getTag("route"), t,
            buckets);
      } else if (name.equals("callbridge_upstream_requests") && m instanceof Counter c) {
        String d = m.getId().getTag("destination");
        String outcome = m.getId().getTag("outcome");
        double delta = delta(counts, "ur|" + d + "|" + outcome, c.count());
        JsonObject r = destinations.computeIfAbsent(d, k -> zero());
        r.put("rps", r.getDouble("rps") + delta / seconds);
        if (!"ok".equals(outcome)) {
          r.put("errorsPerSecond", r.getDouble("errorsPerSecond") + delta / seconds);
        }
      } else if (name.equals("callbridge_upstream_latency") && m instanceof Timer t) {
        quantiles(destinations.computeIfAbsent(m.getId().getTag("destination"), k -> zero()),
            "ul|" + m.getId().getTag("destination"), t, buckets);
      } else if (name.equals("callbridge_upstream_breaker_state") && m instanceof Gauge g) {
        double v = g.value();
        destinations.computeIfAbsent(m.getId().getTag("destination"), k -> zero())
            .put("breaker", v >= 2 ? "open" : v >= 1 ? "half-open" : "closed");
      } else if (name.equals("callbridge_upstream_pool_in_use") && m instanceof Gauge g) {
        destinations.computeIfAbsent(m.getId().getTag("destination"), k -> zero()).put("poolInUse", (long) g.value());
      } else if (name.equals("callbridge_upstream_pool_waiting") && m instanceof Gauge g) {
        destinations.computeIfAbsent(m.getId().getTag("destination"), k -> zero()).put("poolWaiting", (long) g.value());
      } else if (name.equals("callbridge_outbox_depth") && m instanceof Gauge g) {
        outbox.put(m.getId().getTag("status"), (long) g.value());
      } else if (name.equals("callbridge_outbox_oldest_pending") && m instanceof Gauge g) {
        outbox.put("oldestPendingSeconds", Math.round(g.value()));
      } else if (name.equals("callbridge_correlation_cache_entries") && m instanceof Gauge g) {
        correlation.put("cacheEntries", (long) g.value());
      } else if (name.equals("callbridge_correlation_queue_depth") && m instanceof Gauge g) {
        correlation.put("queueDepth", (long) g.value());
      } else if (name.equals("callbridge_event_loop_lag") && m instanceof Timer t) {
        lagMaxMs = Math.max(lagMaxMs, t.max(TimeUnit.MILLISECONDS));
      }
    }
    lastBuckets = buckets;
    lastCounts = counts;
    lastAt = now;
    JsonObject reading = new JsonObject().put("at", now).put("intervalSeconds", seconds)
        .put("routes", new JsonObject(new java.util.LinkedHashMap<>(routes)))
        .put("destinations", new JsonObject(new java.util.LinkedHashMap<>(destinations)))
        .put("outbox", outbox).put("correlation", correlation).put("loopLagMaxMs", Math.round(lagMaxMs * 10) / 10.0);
    history.addLast(reading);
    while (history.size() > keep) {
      history.removeFirst();
    }
    return reading;
  }

  /** The kept readings, oldest first. */
  public synchronized JsonArray history() {
    JsonArray out = new JsonArray();
    history.forEach(out::add);
    return out;
  }

  private double delta(Map<String, Double> counts, String key, double now) {
    counts.put(key, now);
    Double before = lastCounts.get(key);
    return before == null ? 0 : Math.max(0, now - before);
  }

  /** p50 and p99 (ms) over the interval, from the buckets' difference; null when nothing was timed. */
  private void quantiles(JsonObject into, String key, Timer t, Map<String, double[]> buckets) {
    CountAtBucket[] now = t.takeSnapshot().histogramCounts();
    // The buckets' counts, then the timer's own count (what lies above the last bucket counts there).
    double[] counts = new double[now.length + 1];
    for (int i = 0; i < now.length; i++) {
      counts[i] = now[i].count();
    }
    counts[now.length] = t.count();
    buckets.put(key, counts);
    double[] before = lastBuckets.get(key);
    if (before == null || before.length != counts.length || now.length == 0) {
      return;
    }
    double all = counts[now.length] - before[now.length];
    if (all <= 0) {
      return;
    }
    into.put("p50Ms", bound(now, counts, before, all * 0.5));
    into.put("p99Ms", bound(now, counts, before, all * 0.99));
  }

  private static double bound(CountAtBucket[] b, double[] counts, double[] before, double rank) {
    for (int i = 0; i < b.length; i++) {
      if (counts[i] - before[i] >= rank) {
        return Math.round(b[i].bucket(TimeUnit.MILLISECONDS) * 10) / 10.0;
      }
    }
    return Math.round(b[b.length - 1].bucket(TimeUnit.MILLISECONDS) * 10) / 10.0; // beyond the last bucket
  }

  private static JsonObject zero() {
    return new JsonObject().put("rps", 0.0).put("errorsPerSecond", 0.0);
  }

  static String norm(String name) {
    String n = name.replace('.', '_');
    for (String suffix : new String[] {"_total", "_seconds"}) {
      if (n.endsWith(suffix)) {
        n = n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }
}
