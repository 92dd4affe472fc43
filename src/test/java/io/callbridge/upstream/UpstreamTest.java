package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The outbound client against real local HTTP servers: every outcome, the breaker, the fan-out, metrics. */
@ExtendWith(VertxExtension.class)
class UpstreamTest {
  static Vertx vertx;
  static HttpServer server;
  static HttpServer tlsServer;
  static SelfSignedCertificate cert;
  static int port;
  static int tlsPort;
  static int closedPort;
  static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  static final Map<String, Promise<Void>> closed = new ConcurrentHashMap<>();
  Metrics metrics;
  Upstream upstream;

  @BeforeAll
  static void servers(Vertx injected) throws Exception {
    vertx = injected; // vertx-junit5's, closed after the class
    server = vertx.createHttpServer().requestHandler(UpstreamTest::handle).listen(0, "127.0.0.1").await();
    port = server.actualPort();
    cert = SelfSignedCertificate.create("localhost");
    tlsServer = (vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(UpstreamTest::handle).listen(0, "127.0.0.1")).await();
    tlsPort = tlsServer.actualPort();
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    // A cold JVM spends a second or two loading Netty's client on the first request; timing tests
    // measure the deadline, not class loading.
    Upstream warm = Upstream.create(vertx, config().destinations(), new Metrics(), Clock.systemUTC());
    warm.send("other", OutboundRequest.get("/ok"), Deadline.in(Duration.ofSeconds(20), Clock.systemUTC())).await();
    warm.close().await();
  }

  @AfterAll
  static void stopServers() {
    cert.delete();
  }

  static void handle(HttpServerRequest req) {
    String path = req.path();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Promise<Void> onClose = closed.computeIfAbsent(path, p -> Promise.promise());
    req.connection().closeHandler(v -> onClose.tryComplete());
    req.body().onSuccess(body -> {
      switch (path) {
        case "/ok" -> req.response().putHeader("Content-Type", "application/json")
            .end("{\"echo\":" + (body.length() == 0 ? "null" : body.toString()) + ",\"uri\":\"" + req.uri() + "\"}");
        case "/headers" -> req.response().end(String.valueOf(req.getHeader("Authorization")) + "|"
            + req.getHeader("X-Template") + "|" + req.getHeader("Content-Type"));
        case "/slow" -> { } // never answers
        case "/500" -> req.response().setStatusCode(500).end("boom");
        case "/429" -> req.response().setStatusCode(429).putHeader("Retry-After", "7").end();
        case "/302" -> req.response().setStatusCode(302).putHeader("Location", "/ok").end();
        case "/huge" -> {
          req.response().setChunked(true);
          for (int i = 0; i < 64; i++) {
            req.response().write(Buffer.buffer(new byte[16 * 1024]));
          }
          req.response().end();
        }
        case "/huge-declared" -> req.response().end(Buffer.buffer(new byte[1024 * 1024]));
        case "/reset" -> req.connection().close();
        default -> req.response().setStatusCode(404).end();
      }
    });
  }

  static CallBridgeConfig config() {
    String yaml = """
        destinations:
          sim:
            baseUrl: http://127.0.0.1:%d
            simulator: true
            maxResponseBytes: 64KiB
            headers: { Authorization: "Basic cHViOnByaXY=", X-Template: default }
            breaker: { failures: 3, window: 10s, resetTimeout: 1s }
          other:
            baseUrl: http://127.0.0.1:%d
            simulator: true
          refused:
            baseUrl: http://127.0.0.1:%d
            simulator: true
            connectTimeout: 200ms
          tiny:
            baseUrl: http://127.0.0.1:%d
            simulator: true
            poolSize: 1
            waitQueue: 0
            breaker: { failures: 2, window: 10s, resetTimeout: 60s }
          tiny-waiting:
            baseUrl: http://127.0.0.1:%d
            simulator: true
            poolSize: 1
            waitQueue: 10
            connectTimeout: 150ms
            breaker: { failures: 2, window: 10s, resetTimeout: 60s }
          nowhere:
            baseUrl: http://no-such-host.invalid
            simulator: true
          tls-verified:
            baseUrl: https://localhost:%d
            allowPrivate: true
            connectTimeout: 3s
          tls-simulator:
            baseUrl: https://localhost:%d
            connectTimeout: 3s
            simulator: true
        """.formatted(port, port, closedPort, port, port, tlsPort, tlsPort);
    try {
      return TestConfigs.parse(yaml);
    } catch (io.callbridge.config.ConfigException e) {
      throw new IllegalStateException(e.errors().toString(), e);
    }
  }

  @BeforeEach
  void client() {
    hits.clear();
    closed.clear();
    metrics = new Metrics();
    upstream = Upstream.create(vertx, config().destinations(), metrics, Clock.systemUTC());
  }

  @org.junit.jupiter.api.AfterEach
  void closeClient() {
    upstream.close().await();
  }

  static Deadline ms(long millis) {
    return Deadline.in(Duration.ofMillis(millis), Clock.systemUTC());
  }

  Outcome send(String destination, String uri, long budgetMs) {
    return upstream.send(destination, OutboundRequest.get(uri), ms(budgetMs)).await();
  }

  static int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  @Test
  void okCarriesStatusBodyLatencyAndSendsDefaultAndTemplateHeaders() {
    Outcome o = upstream.send("sim", OutboundRequest.json("POST", "/ok?x=1", "{\"a\":1}"), ms(2000)).await();
    assertThat(o).isInstanceOf(Outcome.Ok.class);
    Outcome.Ok ok = (Outcome.Ok) o;
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body().toJsonObject().getJsonObject("echo").getInteger("a")).isEqualTo(1);
    assertThat(ok.body().toJsonObject().getString("uri")).isEqualTo("/ok?x=1");
    assertThat(ok.latency()).isPositive();

    OutboundRequest withHeader = new OutboundRequest("POST", "/headers", Map.of("X-Template", "mine"),
        "{}".getBytes(), "application/json");
    Outcome.Ok h = (Outcome.Ok) upstream.send("sim", withHeader, ms(2000)).await();
    assertThat(h.body().toString()).isEqualTo("Basic cHViOnByaXY=|mine|application/json");
  }

  @Test
  void connectionRefusedIsRefusedNotSent() {
    Outcome o = send("refused", "/ok", 2000);
    assertThat(o).isInstanceOf(Outcome.Refused.class);
    assertThat(((Outcome.Refused) o).detail()).containsIgnoringCase("refused");
    assertThat(((Outcome.Refused) o).attempts()).as("nothing was sent: tried once more").isEqualTo(2);
  }

  @Test
  void unknownHostIsRefusedAfterOneMoreTry() {
    Outcome o = send("nowhere", "/ok", 5000);
    assertThat(o).isInstanceOf(Outcome.Refused.class);
    assertThat(((Outcome.Refused) o).attempts()).isEqualTo(2);
  }

  @Test
  void resetAfterSendIsInvalidResponseAndNotRetried() {
    Outcome o = send("other", "/reset", 2000);
    assertThat(o).isInstanceOf(Outcome.InvalidResponse.class);
    assertThat(((Outcome.InvalidResponse) o).sent()).isTrue();
    assertThat(hits("/reset")).as("a failure after sending is ambiguous: never resent").isEqualTo(1);
  }

  @Test
  void slowerThanTheDeadlineTimesOutAndTheServerSeesTheConnectionClosed() throws Exception {
    long t0 = System.nanoTime();
    Outcome o = send("other", "/slow", 250);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(o).isInstanceOf(Outcome.Timeout.class);
    assertThat(((Outcome.Timeout) o).sent()).isTrue();
    assertThat(tookMs).as("cut short by the deadline (the server never answers)").isBetween(200L, 5000L);
    // The request itself was reset: the server's connection closes, not only our future.
    closed.get("/slow").future().toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
  }

  @Test
  void aFullPoolIsOurOwnBackPressureNeverTheDestinationsFailure() throws Exception {
    var slow = upstream.send("tiny", OutboundRequest.get("/slow"), ms(1500));
    Eventually.until("the slow request holds tiny's one connection",
        () -> metrics.scrape().contains("callbridge_upstream_pool_in_use{destination=\"tiny\"} 1.0"));
    assertThat(metrics.scrape()).contains("callbridge_upstream_pool_in_use{destination=\"tiny\"} 1.0");
    for (int i = 0; i < 5; i++) {
      Outcome o = send("tiny", "/ok", 1000);
      assertThat(o).isInstanceOfSatisfying(Outcome.NoConnection.class,
          n -> assertThat(n.detail()).contains("wait queue"));
    }
    assertThat(upstream.breakerState("tiny")).as("5 > failures: 2, yet closed: nothing reached the destination")
        .isZero();
    assertThat(metrics.scrape()).contains("callbridge_upstream_requests_total{destination=\"tiny\",outcome=\"no_connection\"} 5.0");
    assertThat(slow.await()).isInstanceOf(Outcome.Timeout.class);
    assertThat(metrics.scrape()).contains("callbridge_upstream_pool_in_use{destination=\"tiny\"} 0.0");
  }

  @Test
  void waitingTooLongForOurOwnPoolIsNoConnectionNotARefusal() {
    var slow = upstream.send("tiny-waiting", OutboundRequest.get("/slow"), ms(1500));
    Eventually.until("the slow request holds the one connection",
        () -> metrics.scrape().contains("callbridge_upstream_pool_in_use{destination=\"tiny-waiting\"} 1.0"));
    for (int i = 0; i < 3; i++) {
      Outcome o = send("tiny-waiting", "/ok", 1000);
      assertThat(o).isInstanceOfSatisfying(Outcome.NoConnection.class,
          n -> assertThat(n.detail()).contains("within 150ms", "in use"));
    }
    assertThat(upstream.breakerState("tiny-waiting")).isZero();
    slow.await();
  }

  @Test
  void serverErrorIsHttpError() {
    Outcome o = send("other", "/500", 2000);
    assertThat(o).isInstanceOf(Outcome.HttpError.class);
    Outcome.HttpError e = (Outcome.HttpError) o;
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.body().toString()).isEqualTo("boom");
    assertThat(e.retryAfter()).isEmpty();
  }

  @Test
  void tooManyRequestsCarriesRetryAfter() {
    Outcome.HttpError e = (Outcome.HttpError) send("other", "/429", 2000);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void redirectIsNotFollowed() {
    Outcome.HttpError e = (Outcome.HttpError) send("other", "/302", 2000);
    assertThat(e.status()).isEqualTo(302);
    assertThat(e.headers().get("Location")).isEqualTo("/ok");
    assertThat(hits("/ok")).isZero();
  }

  @Test
  void hugeBodyIsCappedWhetherChunkedOrDeclared() {
    Outcome chunked = send("sim", "/huge", 5000);
    assertThat(chunked).isInstanceOf(Outcome.InvalidResponse.class);
    assertThat(((Outcome.InvalidResponse) chunked).detail()).contains("maxResponseBytes");
    assertThat(((Outcome.InvalidResponse) chunked).status()).isEqualTo(200);
    Outcome declared = send("sim", "/huge-declared", 5000);
    assertThat(declared).isInstanceOf(Outcome.InvalidResponse.class);
    assertThat(((Outcome.InvalidResponse) declared).detail()).contains("1048576 bytes");
  }

  @Test
  void noBudgetSendsNothing() {
    Deadline spent = new Deadline(Instant.now().minusMillis(5), Clock.systemUTC());
    Outcome o = upstream.send("other", OutboundRequest.get("/ok"), spent).await();
    assertThat(o).isInstanceOf(Outcome.NoBudget.class);
    Deadline frozen = Deadline.in(Duration.ofMillis(2), Clock.fixed(Instant.now(), java.time.ZoneOffset.UTC));
    assertThat(upstream.send("other", OutboundRequest.get("/ok"), frozen).await())
        .isInstanceOf(Outcome.NoBudget.class);
    assertThat(hits("/ok")).isZero();
  }

  @Test
  void breakerOpensAfterThresholdShedsWhileOpenAndRecoversThroughHalfOpen() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(send("sim", "/500", 2000)).isInstanceOf(Outcome.HttpError.class);
    }
    awaitState("sim", 2);
    assertThat(send("sim", "/500", 2000)).isInstanceOf(Outcome.BreakerOpen.class);
    assertThat(send("sim", "/ok", 2000)).isInstanceOf(Outcome.BreakerOpen.class);
    assertThat(hits("/500")).as("nothing is sent while open").isEqualTo(3);
    assertThat(hits("/ok")).isZero();
    awaitState("sim", 1);
    assertThat(send("sim", "/ok", 2000)).isInstanceOf(Outcome.Ok.class);
    awaitState("sim", 0);
    assertThat(send("sim", "/ok", 2000)).isInstanceOf(Outcome.Ok.class);
    assertThat(metrics.scrape()).contains("callbridge_upstream_breaker_state{destination=\"sim\"} 0.0")
        .contains("callbridge_upstream_requests_total{destination=\"sim\",outcome=\"breaker_open\"} 2.0");
  }

  @Test
  void failedProbeReopensTheBreaker() throws Exception {
    for (int i = 0; i < 3; i++) {
      send("sim", "/500", 2000);
    }
    awaitState("sim", 1);
    assertThat(send("sim", "/500", 2000)).isInstanceOf(Outcome.HttpError.class);
    awaitState("sim", 2);
  }

  void awaitState(String destination, int state) {
    Eventually.until(destination + "'s breaker in state " + state, () -> upstream.breakerState(destination) == state);
  }

  @Test
  void tlsIsVerifiedUnlessTheDestinationIsASimulator() {
    Outcome verified = send("tls-verified", "/ok", 5000);
    assertThat(verified).isInstanceOf(Outcome.Refused.class);
    assertThat(((Outcome.Refused) verified).detail()).contains("TLS");
    assertThat(send("tls-simulator", "/ok", 5000)).isInstanceOf(Outcome.Ok.class);
  }

  @Test
  void fanOutReturnsOneOutcomePerTargetAndNeverFails() {
    FanOut fan = upstream.fanOut();
    List<Outcome> all = fan.all(List.of(
        new FanOut.Call("other", OutboundRequest.get("/ok")),
        new FanOut.Call("other", OutboundRequest.get("/slow")),
        new FanOut.Call("other", OutboundRequest.get("/500")),
        new FanOut.Call("refused", OutboundRequest.get("/ok"))), ms(400)).await();
    assertThat(all).extracting(Outcome::kind).containsExactly(Outcome.Kind.OK, Outcome.Kind.TIMEOUT,
        Outcome.Kind.HTTP_ERROR, Outcome.Kind.REFUSED);
  }

  @Test
  void fanOutStopsEarlyAndResetsWhatIsStillRunning() throws Exception {
    List<Outcome> early = upstream.fanOut().until(List.of(
            new FanOut.Call("other", OutboundRequest.get("/slow")),
            new FanOut.Call("other", OutboundRequest.get("/ok"))), ms(10_000),
        settled -> settled.stream().anyMatch(o -> o.map(Outcome::isOk).orElse(false))).await();
    // Done as soon as /ok answered: /slow (which never answers by itself) was cancelled, and its connection reset.
    assertThat(early).extracting(Outcome::kind).containsExactly(Outcome.Kind.CANCELLED, Outcome.Kind.OK);
    closed.get("/slow").future().toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
  }

  @Test
  void metricsPerDestination() {
    send("other", "/ok", 2000);
    send("other", "/500", 2000);
    String scrape = metrics.scrape();
    assertThat(scrape)
        .contains("callbridge_upstream_requests_total{destination=\"other\",outcome=\"ok\"} 1.0")
        .contains("callbridge_upstream_requests_total{destination=\"other\",outcome=\"http_error\"} 1.0")
        .contains("callbridge_upstream_latency_seconds_bucket{destination=\"other\",le=\"0.001\"}")
        .contains("callbridge_upstream_latency_seconds_count{destination=\"other\"} 2")
        .contains("callbridge_upstream_breaker_state{destination=\"other\"} 0.0")
        .contains("callbridge_upstream_pool_in_use{destination=\"other\"} 0.0")
        .contains("callbridge_upstream_pool_waiting{destination=\"other\"} 0.0");
  }

  @Test
  void retryAfterAsHttpDate() {
    HttpDestination d = new HttpDestination(vertx, config().destinations().get("other"),
        Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC));
    OutboundCall e = new OutboundCall(d, OutboundRequest.get("/"), ms(10), UpstreamClient.NEVER);
    assertThat(e.retryAfter("Thu, 01 Jan 2026 00:01:30 GMT")).contains(Duration.ofSeconds(90));
    assertThat(e.retryAfter("Wed, 31 Dec 2025 00:00:00 GMT")).contains(Duration.ZERO);
    assertThat(e.retryAfter("soon")).isEqualTo(Optional.empty());
    d.close().await();
  }
}
