package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared ingress behaviour every route has, against a real gateway on ephemeral ports. */
class IngressTest {
  static final String YAML = TestConfigs.ONE_ROUTE;

  static PostgresConfig db;
  static Gateway gateway;
  static String base;
  static final AtomicReference<Inbound> last = new AtomicReference<>();

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(IngressTest.class);
    CallBridgeConfig config = TestConfigs.forTest(YAML, db);
    gateway = Gateway.start(config, Clock.systemUTC(), ECHO).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
  }

  /** Answers with the fields it was given (and, when asked, from another thread). */
  static final Gateway.FlowFactory ECHO = (route, services) -> inbound -> {
      last.set(inbound);
      Reply reply = Reply.json(200, new JsonObject().put("fields", new JsonObject(inbound.fields()))
          .put("remaining_ms", inbound.deadline().remaining().toMillis()));
      if (inbound.fields().containsKey("answer_from_another_thread")) {
        Promise<Reply> later = Promise.promise();
        new Thread(() -> later.complete(reply), "not-an-event-loop").start();
        return later.future();
      }
      return Future.succeededFuture(reply);
    };

  @AfterAll
  static void stop() {
    gateway.stop().await();
    TestDb.drop(db);
  }

  static final Map<String, String> AUTH = Map.of("X-CallBridge-Token", "route-secret");

  @Test
  void jsonBodyFieldsOverrideQueryAndKeepTheirTypes() {
    Http.Response r = Http.post(base + "/v1/ping/echo?caller_id=1&zip=90210", "application/json",
        "{\"caller_id\":\"+15557779999\",\"payout\":12.5,\"nested\":{\"a\":1}}", AUTH);
    assertThat(r.status()).isEqualTo(200);
    JsonObject fields = r.json().getJsonObject("fields");
    assertThat(fields.getString("caller_id")).isEqualTo("+15557779999");
    assertThat(fields.getValue("payout")).isEqualTo(12.5);
    assertThat(fields.getString("zip")).isEqualTo("90210");
    assertThat(r.header("X-Request-Id")).isNotBlank();
  }

  @Test
  void formBodyAndTokenInQuery() {
    Http.Response r = Http.post(base + "/v1/ping/echo?token=route-secret", "application/x-www-form-urlencoded",
        "caller_id=%2B15557779999&state=CA", Map.of());
    assertThat(r.status()).isEqualTo(200);
    JsonObject fields = r.json().getJsonObject("fields");
    assertThat(fields.getString("caller_id")).isEqualTo("+15557779999");
    assertThat(fields.containsKey("token")).as("the auth token is never a field").isFalse();
  }

  @Test
  void getWithQueryString() {
    Http.Response r = Http.get(base + "/v1/ping/echo?token=route-secret&call_uuid=abc", Map.of());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("fields").getString("call_uuid")).isEqualTo("abc");
  }

  @Test
  void oneAccessLinePerRequestWithRouteStatusLatencyIdsAndTheTokensNameNeverItsValue() {
    java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger access = java.util.logging.Logger.getLogger("callbridge.access");
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    access.addHandler(capture);
    Gateway logged = Gateway.start(TestConfigs.forTest(YAML.replace("accessLog: false", "accessLog: true"), db),
        Clock.systemUTC(), ECHO).await();
    String at = "http://127.0.0.1:" + logged.publicPort();
    try {
      Http.get(at + "/v1/ping/echo?token=route-secret&call_uuid=CA-77", Map.of("X-Request-Id", "td-777"));
      Http.get(at + "/v1/ping/echo?token=wrong&call_uuid=CA-78", Map.of("X-Request-Id", "td-778"));
      io.callbridge.testing.Eventually.value("two access lines", java.time.Duration.ofSeconds(10),
          () -> records.size() >= 2 ? java.util.Optional.of(records) : java.util.Optional.empty());
    } finally {
      access.removeHandler(capture);
      logged.stop().await();
    }
    java.util.logging.LogRecord ok = records.stream().filter(r -> r.getMessage().contains("rid=td-777")).findFirst()
        .orElseThrow();
    assertThat(ok.getMessage()).startsWith("GET /v1/ping/echo route=echo status=200 ms=")
        .contains("call=CA-77").endsWith("token=default").doesNotContain("route-secret");
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) ok.getParameters()[0];
    assertThat(fields).containsEntry("route", "echo").containsEntry("status", 200).containsEntry("request_id", "td-777")
        .containsEntry("call_id", "CA-77").containsEntry("token", "default").containsKey("ms");
    java.util.logging.LogRecord refused = records.stream().filter(r -> r.getMessage().contains("rid=td-778"))
        .findFirst().orElseThrow();
    assertThat(refused.getMessage()).contains("status=401").endsWith("token=invalid").doesNotContain("wrong");
  }

  @Test
  void requestIdIsEchoed() {
    Http.Response r = Http.get(base + "/v1/ping/echo?token=route-secret", Map.of("X-Request-Id", "td-123"));
    assertThat(r.header("X-Request-Id")).isEqualTo("td-123");
  }

  @Test
  void deadlineHeaderShortensTheBudget() {
    Http.Response r = Http.get(base + "/v1/ping/echo?token=route-secret", Map.of("X-Deadline-Ms", "150"));
    assertThat(r.json().getLong("remaining_ms")).isBetween(1L, 150L);
    Http.Response bad = Http.get(base + "/v1/ping/echo?token=route-secret", Map.of("X-Deadline-Ms", "soon"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("field")).isEqualTo("X-Deadline-Ms");
  }

  @Test
  void missingOrWrongTokenIs401() {
    Http.Response missing = Http.get(base + "/v1/ping/echo");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.json().getString("error")).contains("missing token");
    assertThat(missing.json().getString("field")).isEqualTo("token");
    Http.Response wrong = Http.get(base + "/v1/ping/echo", Map.of("X-CallBridge-Token", "route-secreT"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().getString("error")).isEqualTo("invalid token");
  }

  @Test
  void unknownPathIs404Json() {
    Http.Response r = Http.get(base + "/v1/ping/nope", AUTH);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("error")).contains("/v1/ping/nope");
    assertThat(r.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void wrongMethodIs405Json() {
    Http.Response r = Http.send("DELETE", base + "/v1/ping/echo", null, null, AUTH);
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.json().getString("error")).contains("DELETE");
  }

  @Test
  void bodyOverTheLimitIs413AndTheFlowNeverRuns() {
    last.set(null);
    Http.Response r = Http.post(base + "/v1/ping/echo", "application/json",
        "{\"x\":\"" + "a".repeat(2000) + "\"}", AUTH);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().getString("field")).isEqualTo("body");
    assertThat(last.get()).isNull();
  }

  @Test
  void chunkedBodyWithoutLengthIsAssembledFromItsChunks() throws Exception {
    java.net.http.HttpResponse<String> r = chunked(List.of("{\"caller_id\":", "\"+15557779999\",", "\"zip\":\"90210\"}"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonObject("fields").getMap())
        .containsEntry("caller_id", "+15557779999").containsEntry("zip", "90210");
  }

  @Test
  void chunkedBodyOverTheLimitIs413AndTheFlowNeverRuns() throws Exception {
    last.set(null);
    String piece = "\"" + "a".repeat(400) + "\",";
    java.net.http.HttpResponse<String> r = chunked(List.of("{\"x\":[", piece, piece, piece, "\"b\"]}"));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("body");
    assertThat(last.get()).isNull();
  }

  /** A POST whose body goes as separate chunks with no Content-Length (chunked transfer encoding). */
  private static java.net.http.HttpResponse<String> chunked(List<String> parts) throws Exception {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/ping/echo"))
        .header("Content-Type", "application/json").header("X-CallBridge-Token", "route-secret")
        .POST(java.net.http.HttpRequest.BodyPublishers.fromPublisher(java.net.http.HttpRequest.BodyPublishers.ofByteArrays(
            parts.stream().map(p -> p.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList())))
        .build();
    return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFlowThatFinishesOnAnotherThreadIsAnsweredOnTheRequestsLoop() {
    // The public port runs in strict thread mode: only the request's own loop may write its answer.
    for (int i = 0; i < 20; i++) {
      Http.Response r = Http.post(base + "/v1/ping/echo", "application/json",
          "{\"answer_from_another_thread\":true,\"n\":" + i + "}", AUTH);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getJsonObject("fields").getInteger("n")).isEqualTo(i);
    }
  }

  @Test
  void malformedJsonIs400NamingTheBody() {
    Http.Response r = Http.post(base + "/v1/ping/echo", "application/json", "{\"caller_id\": ", AUTH);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("field")).isEqualTo("body");
    assertThat(r.json().getString("error")).startsWith("malformed JSON");
    assertThat(r.body()).doesNotContain("at io.");
  }

  @Test
  void jsonThatIsNotAnObjectIs400() {
    Http.Response r = Http.post(base + "/v1/ping/echo", "application/json", "[1,2]", AUTH);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).isEqualTo("expected a JSON object");
  }

  @Test
  void malformedFormIs400() {
    Http.Response r = Http.post(base + "/v1/ping/echo", "application/x-www-form-urlencoded", "caller_id=%zz", AUTH);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("field")).isEqualTo("body");
  }

  @Test
  void unsupportedContentTypeIs400NamingTheHeader() {
    Http.Response r = Http.post(base + "/v1/ping/echo", "application/xml", "<a/>", AUTH);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("field")).isEqualTo("Content-Type");
  }

  @Test
  void aJsonBodySentAsTextOrFormIs400NamingContentTypeNotAMissingField() {
    for (String type : new String[] {"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded"}) {
      Http.Response r = Http.post(base + "/v1/ping/echo", type, " {\"caller_id\":\"+15557779999\"}", AUTH);
      assertThat(r.status()).as(type).isEqualTo(400);
      assertThat(r.json().getString("field")).as(type).isEqualTo("Content-Type");
      assertThat(r.json().getString("error")).as(type).contains("send Content-Type: application/json");
    }
    Http.Response form = Http.post(base + "/v1/ping/echo", "text/plain", "caller_id=%2B15557779999", AUTH);
    assertThat(form.status()).as("a form body as text/plain is still read").isEqualTo(200);
  }

  @Test
  void healthAndMetricsOnTheAdminPort() {
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    assertThat(Http.get(admin + "/health/live").status()).isEqualTo(200);
    Http.Response ready = Http.get(admin + "/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getString("migration")).isNotEqualTo("none");
    Http.get(base + "/v1/ping/echo", AUTH);
    String metrics = Http.get(admin + "/metrics").body();
    assertThat(metrics)
        .contains("callbridge_route_requests_total{")
        .contains("route=\"echo\"")
        .contains("callbridge_route_latency_seconds_bucket{")
        .contains("vertx_http_server_requests_total")
        .contains("jvm_memory_used_bytes")
        .doesNotContain("/v1/ping/echo");
  }

  @Test
  void adminEndpointsNeedTheBearerToken() {
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    assertThat(Http.get(admin + "/admin/anything").status()).isEqualTo(401);
    assertThat(Http.get(admin + "/admin/anything", Map.of("Authorization", "Bearer wrong")).status()).isEqualTo(401);
    assertThat(Http.get(admin + "/admin/anything", Map.of("Authorization", "Bearer admin-secret")).status()).isEqualTo(404);
  }

  @Test
  void inventedMethodNamesNeverGrowTheMetrics() throws Exception {
    int port = gateway.publicPort();
    for (int i = 0; i < 40; i++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.getOutputStream().write(("INVENTED" + i + " /v1/ping/echo HTTP/1.1\r\nHost: x\r\nConnection: close"
            + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getInputStream().readAllBytes();
      }
    }
    String scrape = Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics", Map.of()).body();
    assertThat(scrape).doesNotContain("INVENTED");
    assertThat(scrape).contains("method=\"OTHER\"");
  }

  /** What the public port answers to these raw bytes: the status line, then the rest. */
  static String raw(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.publicPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void brokenHttpIsAnsweredWithTheRightStatusAndAJsonError() throws Exception {
    String version = raw("GET /v1/ping/echo HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(version).startsWith("HTTP/1.1 505").contains("\"error\"");
    String chunked = raw("POST /v1/ping/echo HTTP/1.1\r\nHost: x\r\nX-CallBridge-Token: route-secret\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
    assertThat(chunked).as("a malformed chunked body is answered, not just dropped").startsWith("HTTP/1.1 400")
        .contains("\"error\"");
    String garbage = raw("\u0001\u0002 nonsense\r\n\r\n");
    assertThat(garbage).containsPattern("^HTTP/1\\.[01] 400").contains("\"error\"");
  }
}
