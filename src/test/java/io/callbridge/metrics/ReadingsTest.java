package io.callbridge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's readings: rates and quantiles over the interval between two readings, the last N kept. */
class ReadingsTest {
  @Test
  void ratesAndQuantilesAreOverTheIntervalAndOnlyTheLastReadingsAreKept() {
    Metrics metrics = new Metrics();
    AtomicLong now = new AtomicLong(1_000_000);
    Readings readings = new Readings(metrics.registry(), now::get, 3);
    var ok = metrics.counter("callbridge.route.requests", "", "route", "td-ping", "kind", "ping", "status", "200");
    var bad = metrics.counter("callbridge.route.requests", "", "route", "td-ping", "kind", "ping", "status", "503");
    var latency = metrics.latency("callbridge.route.latency", "", "route", "td-ping", "kind", "ping");
    ok.increment(5);
    latency.record(Duration.ofMillis(400));
    readings.take(); // the baseline: what came before is not this interval's

    now.addAndGet(10_000);
    ok.increment(90);
    bad.increment(10);
    for (int i = 0; i < 99; i++) {
      latency.record(2, TimeUnit.MILLISECONDS);
    }
    latency.record(Duration.ofMillis(70));
    JsonObject route = readings.take().getJsonObject("routes").getJsonObject("td-ping");
    assertThat(route.getDouble("rps")).isEqualTo(10.0);
    assertThat(route.getDouble("errorsPerSecond")).isEqualTo(1.0);
    assertThat(route.getDouble("p50Ms")).isEqualTo(2.0);
    assertThat(route.getDouble("p99Ms")).isEqualTo(2.0); // 99 of 100 at 2 ms
    now.addAndGet(10_000);
    assertThat(readings.take().getJsonObject("routes").getJsonObject("td-ping").getDouble("rps")).isZero();
    readings.take();
    assertThat(readings.history()).hasSize(3);
  }
}
