package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.IdKind;
import io.callbridge.deadline.Deadline;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Templates;
import io.callbridge.testing.FakeCallLinks;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.callbridge.upstream.OutboundRequest;
import io.callbridge.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ping flow's decisions, with fakes: an upstream client that answers each RTB id as the test
 * scripts it (bids, no-bids, errors, latencies), call links kept in a list, and a clock the test
 * moves. No sockets, no PostgreSQL, no sleeps. {@code PingFlowTest} keeps the wiring end to end.
 */
@ExtendWith(VertxExtension.class)
class PingDecisionsTest {
  static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

  static final String YAML = """
      destinations:
        rtb: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: three
          kind: ping
          auth: { token: t }
          shield: false
          attributes: { buyer_group: premium }
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-a } }
            - { name: b, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-b } }
            - { name: c, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-c } }
        - name: life
          kind: ping
          auth: { token: t }
          shield: false
          minTransferSeconds: 10
          numberFormat: digits10
          targets:
            - { name: short, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: life-short } }
            - { name: epoch, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: life-epoch } }
            - { name: long, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: life-long } }
        - name: floor
          kind: ping
          auth: { token: t }
          shield: false
          floor: 5
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: floor-a } }
        - name: shielded
          kind: ping
          auth: { token: t }
          minTransferSeconds: 10
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: shield-a } }
        - name: strict
          kind: ping
          auth: { token: t }
          required: [caller_id, call_uuid, subdomain]
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: strict-a } }
        - name: unset
          kind: ping
          auth: { token: t }
          shield: false
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: unset-a } }
            - { name: b, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: "" } }
        - name: shaped
          kind: ping
          auth: { token: t }
          shield: false
          answerTemplate: trackdrive-ping-answer
          attributes: { vertical: auto }
          targets:
            - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: shaped-a } }
      """;

  final TestClock clock = TestClock.at(T0);
  final FakeUpstream rtb = new FakeUpstream();
  final FakeCallLinks links = new FakeCallLinks();
  final Map<String, PingFlow> flows = new ConcurrentHashMap<>();
  CallBridgeConfig config;
  Templates templates;
  int caller = 2_010_000;

  @BeforeEach
  void load() throws Exception {
    config = TestConfigs.parse(YAML);
    templates = Templates.of(config);
  }

  /** Answers each RTB id ({@code /v1/production/<id>.json}) with the scripted outcome; records requests. */
  final class FakeUpstream implements UpstreamClient {
    final Map<String, Function<OutboundRequest, Outcome>> scripts = new ConcurrentHashMap<>();
    final List<OutboundRequest> sent = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    @Override
    public Future<Outcome> send(String destination, OutboundRequest request, Deadline deadline, Future<Void> cancel) {
      sent.add(request);
      String id = request.uri().substring(request.uri().lastIndexOf('/') + 1).replace(".json", "");
      hits.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      Function<OutboundRequest, Outcome> script = scripts.get(id);
      return Future.succeededFuture(script == null
          ? new Outcome.HttpError(404, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("{}"), Optional.empty(),
              Duration.ofMillis(1))
          : script.apply(request));
    }

    int hits(String id) {
      AtomicInteger n = hits.get(id);
      return n == null ? 0 : n.get();
    }

    /** A bid of {@code amount} living {@code lifeSeconds} from now, answered after {@code latencyMs}. */
    void bid(String id, double amount, int lifeSeconds, long latencyMs) {
      String body = FakeRtb.bidJson(id, amount, lifeSeconds, clock.millis() + lifeSeconds * 1000L, false).encode();
      answer(id, 200, body, latencyMs);
    }

    void bid(String id, double amount, int lifeSeconds) {
      bid(id, amount, lifeSeconds, 5);
    }

    void noBid(String id, int code, String name) {
      answer(id, 200, new JsonObject().put("bidId", "RTBnb" + id).put("bidAmount", 0)
          .put("rejectReason", code + " - " + name).encode(), 5);
    }

    void answer(String id, int status, String body, long latencyMs) {
      Duration latency = Duration.ofMillis(latencyMs);
      scripts.put(id, r -> status / 100 == 2
          ? new Outcome.Ok(status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body), latency)
          : new Outcome.HttpError(status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body), Optional.empty(),
              latency));
    }

    void outcome(String id, Outcome o) {
      scripts.put(id, r -> o);
    }
  }

  PingFlow flow(String route) {
    return flows.computeIfAbsent(route, name -> {
      RouteConfig r = config.route(name).orElseThrow();
      return PingFlow.create(r, templates, new FanOut(rtb), links, new Metrics(), clock);
    });
  }

  Reply ping(String route, JsonObject body) {
    RouteConfig r = config.route(route).orElseThrow();
    Future<Reply> answer = flow(route).handle(inbound(r, body));
    assertThat(answer.isComplete()).as("answered without waiting on anything real").isTrue();
    return answer.result();
  }

  /** The request as ingress hands it to a flow: JSON objects and arrays as plain maps and lists. */
  Inbound inbound(RouteConfig route, JsonObject body) {
    Map<String, Object> fields = new java.util.HashMap<>();
    body.forEach(e -> fields.put(e.getKey(), e.getValue() instanceof JsonObject o ? o.getMap()
        : e.getValue() instanceof JsonArray a ? a.getList() : e.getValue()));
    return new Inbound(route, "req-" + caller, "POST", MultiMap.caseInsensitiveMultiMap(), fields, body.toBuffer(), "",
        Deadline.in(route.deadline(), clock), clock.instant());
  }

  JsonObject answer(String route, JsonObject body) {
    Reply r = ping(route, body);
    assertThat(r.status()).isEqualTo(200);
    return new JsonObject(r.wire());
  }

  String caller() {
    return "+1555" + (caller++);
  }

  static JsonObject call(String callerId) {
    return new JsonObject().put("caller_id", callerId).put("call_uuid", "CA-" + callerId).put("subdomain", "acme")
        .put("zip", "90210");
  }

  @Test
  void bestOfThreeBidsWins() {
    rtb.bid("three-a", 3.0, 60);
    rtb.bid("three-b", 4.2, 60);
    rtb.bid("three-c", 2.5, 60);
    String callerId = caller();
    JsonObject a = answer("three", call(callerId));
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getBoolean("cached")).isFalse();
    assertThat(a.getDouble("bid_amount")).isEqualTo(4.2);
    assertThat(a.getString("target")).isEqualTo("b");
    assertThat(a.getString("bid_id")).startsWith("RTBthree-b");
    assertThat(a.getString("phone_number")).isEqualTo("+17733408913");
    assertThat(a.getInteger("duration")).isEqualTo(60);
    assertThat(a.getLong("expires_in")).isEqualTo(60L); // 60 s of life on a clock that stands still
    assertThat(a.getJsonObject("attributes").getString("buyer_group")).isEqualTo("premium");
    // What reached "Ringba": CID as 11 digits, exposeCallerId, the mapped zip tag.
    JsonObject sent = new JsonObject(rtb.sent.stream().filter(q -> q.uri().endsWith("/three-a.json"))
        .findFirst().orElseThrow().bodyText());
    assertThat(sent.getString("CID")).isEqualTo(callerId.substring(1));
    assertThat(sent.getString("exposeCallerId")).isEqualTo("yes");
    assertThat(sent.getString("zipcode")).isEqualTo("90210");
  }

  @Test
  void equalBidsGoToTheEarlierAnswer() {
    rtb.bid("three-a", 4.0, 60, 80);
    rtb.bid("three-b", 4.0, 60, 10);
    rtb.bid("three-c", 4.0, 60, 40);
    assertThat(answer("three", call(caller())).getString("target")).isEqualTo("b");
  }

  @Test
  void aBidWithTooLittleLifeIsSkipped() {
    rtb.bid("life-short", 9.0, 5);
    // expireInSeconds says 60, but bidExpireEpoch (which wins) leaves 3 s: a cached 230 answer.
    rtb.answer("life-epoch", 200, FakeRtb.bidJson("life-epoch", 8.0, 60, clock.millis() + 3_000, true).encode(), 5);
    rtb.bid("life-long", 2.0, 60);
    JsonObject a = answer("life", call(caller()));
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getString("target")).isEqualTo("long");
    assertThat(a.getDouble("bid_amount")).isEqualTo(2.0);
    assertThat(a.getString("phone_number")).as("numberFormat digits10").isEqualTo("7733408913");
  }

  @Test
  void onlyExpiringBidsAnswerExpired() {
    rtb.bid("life-short", 9.0, 5);
    rtb.bid("life-epoch", 8.0, 2);
    rtb.noBid("life-long", 1003, "No capacity");
    JsonObject a = answer("life", call(caller()));
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("expired");
    JsonArray targets = a.getJsonArray("targets");
    assertThat(targets.getJsonObject(0).getString("result")).isEqualTo("expired");
    assertThat(targets.getJsonObject(2).getString("result")).isEqualTo("rejected");
  }

  @Test
  void allRejectedAnswersWithTheReasons() {
    rtb.noBid("three-a", 1003, "No capacity");
    rtb.noBid("three-b", 1024, "Campaign or publisher rate limit");
    rtb.noBid("three-c", 1002, "Initial tag filter");
    JsonObject a = answer("three", call(caller()));
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("all_rejected");
    JsonArray targets = a.getJsonArray("targets");
    assertThat(targets).hasSize(3);
    assertThat(targets.getJsonObject(0).getString("target")).isEqualTo("a");
    assertThat(targets.getJsonObject(0).getString("result")).isEqualTo("rejected");
    assertThat(targets.getJsonObject(0).getInteger("reject_code")).isEqualTo(1003);
    assertThat(targets.getJsonObject(1).getInteger("reject_code")).isEqualTo(1024);
    assertThat(targets.getJsonObject(1).getString("detail")).contains("rate limit");
    assertThat(a.containsKey("phone_number")).isFalse();
  }

  @Test
  void everyTargetTimingOutAnswersTimeout() {
    for (String id : List.of("three-a", "three-b", "three-c")) {
      rtb.outcome(id, new Outcome.Timeout(true, Duration.ofMillis(300)));
    }
    JsonObject a = answer("three", call(caller()));
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("timeout");
    assertThat(a.getJsonArray("targets").getJsonObject(0).getString("result")).isEqualTo("timeout");
  }

  @Test
  void aBidBelowTheFloorIsNotAccepted() {
    rtb.bid("floor-a", 4.0, 60);
    JsonObject a = answer("floor", call(caller()));
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("below_floor");
    assertThat(a.getJsonArray("targets").getJsonObject(0).getDouble("bid_amount")).isEqualTo(4.0);
  }

  @Test
  void malformedAnswersAreInvalidResponsesNeverCrashes() {
    rtb.answer("three-a", 200, "{\"bidId\":\"RTBx\",\"bidAmount\":", 5);
    rtb.answer("three-b", 200, "<html>bad gateway</html>", 5);
    rtb.bid("three-c", 1.5, 60);
    JsonObject a = answer("three", call(caller()));
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getString("target")).isEqualTo("c");

    rtb.answer("three-c", 200, "{\"bidId\":\"RTBy\",\"bidAmount\":3.1}", 5);
    rtb.answer("three-b", 503, "", 5);
    JsonObject none = answer("three", call(caller()));
    assertThat(none.getBoolean("accepted")).isFalse();
    assertThat(none.getString("reason")).isEqualTo("no_bid");
    JsonArray targets = none.getJsonArray("targets");
    assertThat(targets.getJsonObject(0).getString("result")).isEqualTo("invalid_response");
    assertThat(targets.getJsonObject(1).getString("result")).isEqualTo("http_error");
    assertThat(targets.getJsonObject(2).getString("result")).isEqualTo("invalid_response");
    assertThat(targets.getJsonObject(2).getString("detail")).contains("phoneNumber");
  }

  @Test
  void aTargetBehindAnOpenBreakerIsReportedAndTheOthersStillCount() {
    rtb.noBid("three-a", 1003, "No capacity");
    rtb.outcome("three-b", new Outcome.BreakerOpen("rtb"));
    rtb.bid("three-c", 1.0, 60);
    JsonObject a = answer("three", call(caller()));
    assertThat(a.getString("target")).isEqualTo("c");
    rtb.noBid("three-c", 1003, "No capacity");
    JsonObject none = answer("three", call(caller()));
    assertThat(none.getString("reason")).isEqualTo("no_bid");
    assertThat(none.getJsonArray("targets").getJsonObject(1).getString("result")).isEqualTo("breaker_open");
  }

  @Test
  void shieldAnswersAnIdenticalPingFromMemory() {
    rtb.bid("shield-a", 6.5, 60);
    String callerId = caller();
    JsonObject first = answer("shielded", call(callerId));
    assertThat(first.getBoolean("cached")).isFalse();
    // Same caller id and tags, another call: answered from the shield.
    JsonObject second = answer("shielded", call(callerId).put("call_uuid", "CA-other"));
    assertThat(second.getBoolean("accepted")).isTrue();
    assertThat(second.getBoolean("cached")).isTrue();
    assertThat(second.getString("bid_id")).isEqualTo(first.getString("bid_id"));
    assertThat(rtb.hits("shield-a")).isEqualTo(1);
    // The second call is linked as its own call, and the bid as shared by the two (money by bid id: ambiguous).
    assertThat(links.sharedBids).containsExactly(first.getString("bid_id"));
    assertThat(links.linked).last().satisfies(l -> {
      assertThat(l.id(IdKind.CALL_UUID)).contains("CA-other");
      assertThat(l.id(IdKind.BID_ID)).as("the bid stays with the call that won it").isEmpty();
    });
    // Another tag set is another ping; so is another caller id.
    assertThat(answer("shielded", call(callerId).put("zip", "10001")).getBoolean("cached")).isFalse();
    assertThat(rtb.hits("shield-a")).isEqualTo(2);
    assertThat(answer("shielded", call(caller())).getBoolean("cached")).isFalse();
    assertThat(rtb.hits("shield-a")).isEqualTo(3);
  }

  @Test
  void shieldNeverAnswersWithABidThatHasTooLittleLifeLeft() {
    // 11 s of life with minTransferSeconds 10: shielded for about one second only.
    rtb.bid("shield-a", 7.0, 11);
    String callerId = caller();
    assertThat(answer("shielded", call(callerId)).getBoolean("cached")).isFalse();
    clock.advance(Duration.ofMillis(900));
    assertThat(answer("shielded", call(callerId)).getBoolean("cached")).isTrue();
    clock.advance(Duration.ofMillis(400));
    rtb.bid("shield-a", 7.5, 60);
    JsonObject again = answer("shielded", call(callerId));
    assertThat(again.getBoolean("cached")).isFalse();
    assertThat(again.getDouble("bid_amount")).isEqualTo(7.5);
    assertThat(rtb.hits("shield-a")).isEqualTo(2);
  }

  @Test
  void noBidIsNotShielded() {
    rtb.noBid("shield-a", 1003, "No capacity");
    String callerId = caller();
    assertThat(answer("shielded", call(callerId)).getBoolean("accepted")).isFalse();
    assertThat(answer("shielded", call(callerId)).getBoolean("accepted")).isFalse();
    assertThat(rtb.hits("shield-a")).isEqualTo(2);
  }

  @Test
  void badInputNamesTheFieldAndSendsNothing() {
    rtb.bid("strict-a", 1.0, 60);
    Reply missing = ping("strict", new JsonObject().put("call_uuid", "CA1").put("subdomain", "acme"));
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.body().getString("field")).isEqualTo("caller_id");
    Reply noSub = ping("strict", new JsonObject().put("caller_id", caller()).put("call_uuid", "CA1"));
    assertThat(noSub.status()).isEqualTo(422);
    assertThat(noSub.body().getString("field")).isEqualTo("subdomain");
    Reply bad = ping("strict", call("not-a-phone"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().getString("field")).isEqualTo("caller_id");
    assertThat(bad.body().getString("error")).contains("not a phone number");
    Reply nested = ping("strict", call(caller()).put("zip", new JsonObject().put("a", 1)));
    assertThat(nested.status()).isEqualTo(422);
    assertThat(nested.body().getString("field")).isEqualTo("zip");
    assertThat(rtb.hits("strict-a")).isZero();
  }

  @Test
  void theAnswerTemplateReshapesBothAnswers() {
    rtb.bid("shaped-a", 3.25, 60);
    JsonObject a = answer("shaped", call(caller()).put("call_uuid", "CA-shaped"));
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getString("number")).isEqualTo("+17733408913");
    assertThat(a.getDouble("revenue")).isEqualTo(3.25);
    assertThat(a.getInteger("duration")).isEqualTo(60);
    assertThat(a.getString("call_uuid")).isEqualTo("CA-shaped");
    assertThat(a.getJsonObject("attributes").getString("vertical")).isEqualTo("auto");
    assertThat(a.containsKey("reason")).isFalse();
    rtb.noBid("shaped-a", 1004, "Caller id blocked or duplicate");
    JsonObject none = answer("shaped", call(caller()));
    assertThat(none.getBoolean("accepted")).isFalse();
    assertThat(none.getString("reason")).isEqualTo("all_rejected");
    assertThat(none.containsKey("number")).isFalse();
  }

  @Test
  void aTargetWithoutItsConfigurationIsSkippedNotTheCallersFault() {
    rtb.bid("unset-a", 2.0, 60);
    assertThat(answer("unset", call(caller())).getBoolean("accepted")).isTrue();
    rtb.noBid("unset-a", 1003, "No capacity");
    JsonObject none = answer("unset", call(caller()));
    assertThat(none.getString("reason")).isEqualTo("no_bid");
    JsonObject b = none.getJsonArray("targets").getJsonObject(1);
    assertThat(b.getString("result")).isEqualTo("not_configured");
    assertThat(b.getString("detail")).contains("rtb_id");
    assertThat(rtb.sent).allMatch(q -> !q.uri().contains("//") && !q.uri().endsWith("/.json"));
  }

  @Test
  void theWinningBidIsLinkedToTheCallAfterTheAnswer(Vertx vertx, VertxTestContext test) {
    rtb.bid("shield-a", 5.5, 60);
    String callerId = caller();
    JsonObject body = call(callerId).put("call_uuid", "CA-link-1").put("ping_id", "PING-1");
    RouteConfig route = config.route("shielded").orElseThrow();
    Checkpoint answered = test.checkpoint();
    Checkpoint linked = test.checkpoint();
    vertx.runOnContext(v -> {
      flow("shielded").handle(inbound(route, body)).onComplete(test.succeeding(reply -> {
        test.verify(() -> assertThat(links.linked).as("linked behind the answer, not before it").isEmpty());
        String bidId = reply.body().getString("bid_id");
        answered.flag();
        vertx.runOnContext(later -> test.verify(() -> {
          assertThat(links.linked).hasSize(1);
          CallLink link = links.linked.get(0);
          assertThat(link.id(IdKind.BID_ID)).contains(bidId);
          assertThat(link.id(IdKind.CALL_UUID)).contains("CA-link-1");
          assertThat(link.id(IdKind.PING_ID)).contains("PING-1");
          assertThat(link.id(IdKind.CALLER_ID)).contains(callerId);
          assertThat(link.subdomain()).contains("acme");
          assertThat(link.bidAmount()).isEqualTo(5.5);
          linked.flag();
        }));
      }));
    });
  }
}
