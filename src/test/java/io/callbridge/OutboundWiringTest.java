package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Reply;
import io.callbridge.template.Rendering;
import io.callbridge.template.Templates;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.callbridge.deadline.Deadline;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A flow built the way real flows are (templates from the configuration, the upstream from
 * {@link Services}), inside a real gateway, against a local Ringba-like server.
 */
class OutboundWiringTest {
  static Vertx simVertx;
  static HttpServer sim;
  static PostgresConfig db;
  static Gateway gateway;
  static final AtomicReference<JsonObject> received = new AtomicReference<>();

  @BeforeAll
  static void start() {
    simVertx = Vertx.vertx();
    sim = simVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      received.set(new JsonObject().put("uri", req.uri()).put("body", body.toJsonObject()));
      req.response().putHeader("Content-Type", "application/json").end("{\"bidId\":\"RTB1\",\"bidAmount\":4.2}");
    })).listen(0, "127.0.0.1").await();
    String yaml = """
        server: { accessLog: false }
        destinations:
          rtb: { baseUrl: "http://127.0.0.1:%d", simulator: true }
        routes:
          - name: bench
            kind: ping
            auth: { token: secret }
            deadline: 5s   # a cold JVM's first outbound request loads Netty's client
            targets:
              - { destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: buyer-a } }
        """.formatted(sim.actualPort());
    db = TestDb.freshSchema(OutboundWiringTest.class);
    CallBridgeConfig config = TestConfigs.forTest(yaml, db);
    gateway = Gateway.start(config, Clock.systemUTC(), OutboundWiringTest::flow).await();
  }

  /** What a flow does: render each target, 422 on a missing token, fan out inside the deadline. */
  static Flow flow(RouteConfig route, Services services) {
    Templates templates = services.templates();
    return inbound -> {
      List<FanOut.Call> calls = new ArrayList<>();
      for (TargetConfig t : route.targets()) {
        Rendering r = templates.get(t.template()).render(inbound.fields(), t.vars());
        if (r instanceof Rendering.Rejected rejected) {
          return Future.succeededFuture(Reply.error(422, rejected.message(), rejected.token()));
        }
        calls.add(new FanOut.Call(t.destination(), ((Rendering.Rendered) r).request()));
      }
      Deadline budget = inbound.deadline().minus(route.replyReserve());
      return services.upstream().fanOut().all(calls, budget).map(outcomes -> {
        JsonArray out = new JsonArray();
        for (Outcome o : outcomes) {
          out.add(o instanceof Outcome.Ok ok ? ok.body().toJsonObject() : new JsonObject().put("outcome",
              o.kind().label()));
        }
        return Reply.json(200, new JsonObject().put("outcomes", out));
      });
    };
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    simVertx.close().await();
    TestDb.drop(db);
  }

  @Test
  void flowRendersFansOutAndMetricsShowIt() {
    String base = "http://127.0.0.1:" + gateway.publicPort() + "/v1/ping/bench";
    Http.Response r = Http.post(base, "application/json", "{\"caller_id\":\"(555) 777-9999\",\"call_uuid\":\"c1\"}",
        Map.of("X-CallBridge-Token", "secret"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("outcomes").getJsonObject(0).getString("bidId")).isEqualTo("RTB1");
    assertThat(received.get().getString("uri")).isEqualTo("/v1/production/buyer-a.json");
    assertThat(received.get().getJsonObject("body").getString("CID")).isEqualTo("15557779999");

    Http.Response missing = Http.post(base, "application/json", "{\"call_uuid\":\"c2\"}",
        Map.of("X-CallBridge-Token", "secret"));
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().getString("field")).isEqualTo("caller_id");

    String metrics = Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body();
    assertThat(metrics).contains("callbridge_upstream_requests_total{destination=\"rtb\",outcome=\"ok\"} 1.0")
        .contains("callbridge_upstream_breaker_state{destination=\"rtb\"} 0.0")
        .contains("vertx_http_client_active_connections{client_name=\"rtb\"");
  }
}
