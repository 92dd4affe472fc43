package io.callbridge.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Latency and fault injection: 500, 429 with Retry-After, connection reset, hang — on timers, never blocking. */
@ExtendWith(VertxExtension.class)
class FaultsTest {
  static final String YAML = """
      ringba:
        rtb:
          scripted:
            faults: { script: [http500, http429, reset, ok], retryAfter: 2s }
          hanging:
            faults: { hang: 1.0, hangFor: 400ms }
          slow:
            latency: { fixed: 300ms }
          always500:
            faults: { http500: 1.0 }
        webhooks:
          jittery: { latency: { uniform: [20ms, 60ms] } }
          lognormal: { latency: { logNormal: { median: 30ms, sigma: 0.3, max: 80ms } } }
      """;
  static final String PING = "{\"CID\":\"15557779999\"}";

  static Vertx vertx;
  static Simulator sim;

  @BeforeAll
  static void start(Vertx injected) {
    vertx = injected; // vertx-junit5's, closed after the class
    sim = Simulator.start(vertx, SimConfig.parse(YAML, "faults"), 3, 0).await();
  }

  @AfterAll
  static void stop() {
  }

  static Http.Response ping(String rtbId) {
    return Http.post(sim.baseUrl() + "/v1/production/" + rtbId + ".json", "application/json", PING, Map.of());
  }

  @Test
  void scriptedFaultsComeInOrderThenTheEndpointAnswers() {
    assertThat(ping("scripted").status()).isEqualTo(500);
    Http.Response limited = ping("scripted");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isEqualTo("2");
    assertThatThrownBy(() -> ping("scripted")).as("connection reset, no answer")
        .hasCauseInstanceOf(IOException.class);
    Http.Response ok = ping("scripted");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getDouble("bidAmount")).isPositive();
    assertThat(sim.requests("/v1/production/scripted").stream().map(e -> e.getString("outcome")).toList())
        .startsWith("fault: http500", "fault: http429", "fault: reset");
  }

  @Test
  void probabilityOneAlwaysFails() {
    for (int i = 0; i < 3; i++) {
      assertThat(ping("always500").status()).isEqualTo(500);
    }
  }

  @Test
  void hangHoldsTheRequestWithoutAnswer() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/production/hanging.json"))
        .timeout(Duration.ofMillis(200)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(PING)).build();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(190);
    // after hangFor the simulator closes the connection: a patient client gets an error, never an answer
    HttpRequest patient = HttpRequest.newBuilder(request.uri()).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(PING)).build();
    long t1 = System.nanoTime();
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(patient, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    assertThat((System.nanoTime() - t1) / 1_000_000).isBetween(350L, 4000L);
  }

  @Test
  void latencyDelaysTheAnswerWithoutBlockingOthers() {
    long t0 = System.nanoTime();
    assertThat(ping("slow").status()).isEqualTo(200);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(290);
    long t1 = System.nanoTime();
    java.util.concurrent.CompletableFuture<Http.Response> slow =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> ping("slow"));
    assertThat(ping("always500").status()).isEqualTo(500);
    assertThat((System.nanoTime() - t1) / 1_000_000).as("a fast endpoint is not held behind a slow one").isLessThan(250);
    assertThat(slow.join().status()).isEqualTo(200);
  }

  @Test
  void uniformAndLogNormalLatencyStayInTheirBounds() {
    for (int i = 0; i < 5; i++) {
      Http.get(sim.baseUrl() + "/hook/jittery?call_id=RGB" + i);
      Http.get(sim.baseUrl() + "/hook/lognormal?call_id=RGB" + i);
    }
    assertThat(sim.requests("/hook/jittery")).allSatisfy(e -> assertThat(e.getLong("elapsedMs")).isBetween(19L, 200L));
    assertThat(sim.requests("/hook/lognormal")).allSatisfy(e -> assertThat(e.getLong("elapsedMs")).isLessThan(200L));
  }
}
