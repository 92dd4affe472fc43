package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.correlation.CallRecord;
import io.callbridge.correlation.Correlation;
import io.callbridge.correlation.IdKind;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ping flow's wiring end to end: a real gateway, a real local RTB server, real HTTP, real
 * breakers and correlation. The flow's decisions (selection, expiry, floors, shield, bad input,
 * answer shapes) are unit-tested with fakes and a clock in {@link PingDecisionsTest}.
 */
class PingFlowTest {
  static final Map<String, String> AUTH = Map.of("X-CallBridge-Token", "ping-secret");
  static final AtomicInteger CALLER = new AtomicInteger(2_000_000);

  static FakeRtb rtb;
  static PostgresConfig db;
  static Gateway gateway;
  static String base;
  static String admin;

  static String yaml(int port) {
    return """
        server: { accessLog: false, adminToken: ping-admin-token-0123456789 }
        destinations:
          rtb: { baseUrl: "http://127.0.0.1:%1$d", simulator: true, connectTimeout: 200ms }
          rtb-flaky:
            baseUrl: "http://127.0.0.1:%1$d"
            simulator: true
            breaker: { failures: 2, window: 10s, resetTimeout: 60s }
        routes:
          - name: three
            kind: ping
            auth: { token: ping-secret }
            shield: false
            recordOutcomes: true
            attributes: { buyer_group: premium }
            targets:
              - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-a } }
              - { name: b, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-b } }
              - { name: c, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: three-c } }
          - name: slow
            kind: ping
            auth: { token: ping-secret }
            shield: false
            deadline: 300ms
            targets:
              - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: slow-a } }
              - { name: b, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: slow-b } }
              - { name: late, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: slow-late } }
          - name: shielded
            kind: ping
            auth: { token: ping-secret }
            minTransferSeconds: 10
            targets:
              - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: shield-a } }
          - name: strict
            kind: ping
            auth: { token: ping-secret }
            required: [caller_id, call_uuid, subdomain]
            targets:
              - { name: a, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: strict-a } }
          - name: breaker
            kind: ping
            auth: { token: ping-secret }
            shield: false
            targets:
              - { name: good, destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: breaker-good } }
              - { name: flaky, destination: rtb-flaky, template: ringba-rtb-ping, vars: { rtb_id: breaker-flaky } }
          """.formatted(port);
  }

  @BeforeAll
  static void start() {
    rtb = new FakeRtb();
    db = TestDb.freshSchema(PingFlowTest.class);
    gateway = Gateway.start(TestConfigs.forTest(yaml(rtb.port()), db)).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
    admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    rtb.close();
    TestDb.drop(db);
  }

  static String caller() {
    return "+1555" + CALLER.incrementAndGet();
  }

  static Http.Response ping(String route, JsonObject body) {
    return Http.post(base + "/v1/ping/" + route, "application/json", body.encode(), AUTH);
  }

  static JsonObject call(String callerId) {
    return new JsonObject().put("caller_id", callerId).put("call_uuid", "CA" + System.nanoTime())
        .put("subdomain", "acme").put("zip", "90210");
  }

  @Test
  void bestOfThreeBidsWins() {
    rtb.bid("three-a", 3.0, 60);
    rtb.bid("three-b", 4.2, 60);
    rtb.bid("three-c", 2.5, 60);
    String callerId = caller();
    Http.Response r = ping("three", call(callerId));
    assertThat(r.status()).isEqualTo(200);
    JsonObject a = r.json();
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getBoolean("cached")).isFalse();
    assertThat(a.getDouble("bid_amount")).isEqualTo(4.2);
    assertThat(a.getString("target")).isEqualTo("b");
    assertThat(a.getString("bid_id")).startsWith("RTBthree-b");
    assertThat(a.getString("phone_number")).isEqualTo("+17733408913");
    assertThat(a.getInteger("duration")).isEqualTo(60);
    assertThat(a.getLong("expires_in")).isBetween(55L, 60L);
    assertThat(a.getJsonObject("attributes").getString("buyer_group")).isEqualTo("premium");
    // What reached "Ringba": CID as 11 digits, exposeCallerId, the mapped zip tag.
    JsonObject sent = rtb.requests.stream().filter(q -> q.getString("id").equals("three-a"))
        .map(q -> new JsonObject(q.getString("body")))
        .filter(b -> b.getString("CID").equals(callerId.substring(1))).findFirst().orElseThrow();
    assertThat(sent.getString("exposeCallerId")).isEqualTo("yes");
    assertThat(sent.getString("zipcode")).isEqualTo("90210");
  }

  @Test
  void aRouteThatRecordsOutcomesKeepsEveryBuyersAnswerWithTheCall() {
    rtb.bid("three-a", 3.0, 60);
    rtb.noBid("three-b", 1003, "No capacity");
    rtb.bid("three-c", 2.5, 60);
    JsonObject call = call(caller());
    assertThat(ping("three", call).json().getString("target")).isEqualTo("a");
    String uuid = call.getString("call_uuid");
    JsonArray pings = io.callbridge.testing.Eventually.value("the ping's record", () -> {
      Http.Response r = Http.get(admin + "/admin/calls/" + uuid, Map.of("Authorization", "Bearer ping-admin-token-0123456789"));
      JsonArray p = r.status() == 200 ? r.json().getJsonArray("pings") : null;
      return java.util.Optional.ofNullable(p);
    });
    JsonObject ping = pings.getJsonObject(0);
    assertThat(ping.getString("route")).isEqualTo("three");
    assertThat(ping.getString("mode")).isEqualTo("ping");
    assertThat(ping.getBoolean("accept")).isTrue();
    JsonArray targets = ping.getJsonArray("targets");
    assertThat(targets).hasSize(3);
    assertThat(targets.getJsonObject(0).getString("target")).isEqualTo("a");
    assertThat(targets.getJsonObject(0).getBoolean("winner")).isTrue();
    assertThat(targets.getJsonObject(0).getDouble("bid_amount")).isEqualTo(3.0);
    assertThat(targets.getJsonObject(1).getString("result")).isEqualTo("rejected");
    assertThat(targets.getJsonObject(1).getInteger("reject_code")).isEqualTo(1003);
    assertThat(targets.getJsonObject(2).getBoolean("winner", false)).isFalse();
  }

  @Test
  void aTargetSlowerThanTheDeadlineIsCancelledAndTheOthersAnswerOnTime() {
    rtb.bid("slow-a", 3.0, 60);
    rtb.bid("slow-b", 3.5, 60);
    rtb.script("slow-late", 200, FakeRtb.bidJson("slow-late", 99.0, 60, System.currentTimeMillis() + 60_000, false)
        .encode(), 3_000);
    int cancelledBefore = rtb.cancelled.get();
    JsonObject a = ping("slow", call(caller())).json();
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getString("target")).isEqualTo("b");
    Eventually.until("the late request itself was reset", () -> rtb.cancelled.get() > cancelledBefore);
  }

  @Test
  void xDeadlineMsShortensTheDeadlineTheTargetsGet() {
    // 200 ms answers fit the route's 300 ms deadline, not the 120 ms the caller asks for.
    for (String id : java.util.List.of("slow-a", "slow-b", "slow-late")) {
      rtb.script(id, 200, FakeRtb.bidJson(id, 2.0, 60, System.currentTimeMillis() + 60_000, false).encode(), 200);
    }
    assertThat(ping("slow", call(caller())).json().getBoolean("accepted")).isTrue();
    Http.Response r = Http.post(base + "/v1/ping/slow", "application/json", call(caller()).encode(),
        Map.of("X-CallBridge-Token", "ping-secret", "X-Deadline-Ms", "120"));
    JsonObject a = r.json();
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("timeout");
    assertThat(a.getJsonArray("targets").getJsonObject(0).getString("result")).isEqualTo("timeout");
  }

  @Test
  void shieldAnswersAnIdenticalPingFromMemory() {
    rtb.bid("shield-a", 6.5, 60);
    String callerId = caller();
    int before = rtb.hits("shield-a");
    JsonObject first = ping("shielded", call(callerId)).json();
    assertThat(first.getBoolean("cached")).isFalse();
    // Same caller id and tags, another call: answered from the shield.
    JsonObject second = ping("shielded", call(callerId)).json();
    assertThat(second.getBoolean("accepted")).isTrue();
    assertThat(second.getBoolean("cached")).isTrue();
    assertThat(second.getString("bid_id")).isEqualTo(first.getString("bid_id"));
    assertThat(rtb.hits("shield-a")).isEqualTo(before + 1);
    // Another tag set is another ping.
    JsonObject other = ping("shielded", call(callerId).put("zip", "10001")).json();
    assertThat(other.getBoolean("cached")).isFalse();
    assertThat(rtb.hits("shield-a")).isEqualTo(before + 2);
    // Another caller id is another ping.
    assertThat(ping("shielded", call(caller())).json().getBoolean("cached")).isFalse();
    assertThat(rtb.hits("shield-a")).isEqualTo(before + 3);
  }

  @Test
  void getWithQueryStringAndFormWork() {
    rtb.bid("strict-a", 1.25, 60);
    Http.Response get = Http.get(base + "/v1/ping/strict?token=ping-secret&caller_id=(555)%20201-0000"
        + "&call_uuid=CA9&subdomain=acme");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.json().getDouble("bid_amount")).isEqualTo(1.25);
    Http.Response form = Http.post(base + "/v1/ping/strict", "application/x-www-form-urlencoded",
        "caller_id=15552010001&call_uuid=CA10&subdomain=acme", AUTH);
    assertThat(form.json().getBoolean("accepted")).isTrue();
  }

  @Test
  void metricsCountPingsBidsAndShieldHits() {
    rtb.noBid("three-a", 1003, "No capacity");
    rtb.bid("three-b", 2.0, 60);
    rtb.bid("three-c", 1.0, 60);
    ping("three", call(caller()));
    String text = Http.get(admin + "/metrics").body();
    assertThat(text).contains("callbridge_ping_requests_total{cached=\"false\",result=\"accepted\",route=\"three\"}");
    assertThat(text).contains("callbridge_ping_bids_total{reject_code=\"1003\",result=\"rejected\",route=\"three\",target=\"a\"}");
    assertThat(text).contains("callbridge_ping_winning_bid_amount_count{route=\"three\"}");
    assertThat(text).contains("callbridge_ping_latency_seconds_bucket{route=\"three\"");
    assertThat(text).contains("callbridge_ping_shield_hits_total{route=\"shielded\"}");
  }

  @Test
  void aTargetBehindAnOpenBreakerIsSkipped() {
    rtb.bid("breaker-good", 2.0, 60);
    rtb.script("breaker-flaky", 500, "{\"message\":\"internal\"}", 0);
    for (int i = 0; i < 2; i++) {
      JsonObject a = ping("breaker", call(caller())).json();
      assertThat(a.getString("target")).isEqualTo("good");
    }
    int before = rtb.hits("breaker-flaky");
    rtb.bid("breaker-flaky", 50.0, 60);
    rtb.noBid("breaker-good", 1003, "No capacity");
    JsonObject a = ping("breaker", call(caller())).json();
    assertThat(rtb.hits("breaker-flaky")).as("nothing sent while the breaker is open").isEqualTo(before);
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("no_bid");
    assertThat(a.getJsonArray("targets").getJsonObject(1).getString("result")).isEqualTo("breaker_open");
  }

  @Test
  void theWinningBidIsLinkedToTheCallBehindTheAnswer() {
    rtb.bid("shield-a", 5.5, 60);
    String callerId = caller();
    JsonObject first = call(callerId).put("call_uuid", "CA-link-1").put("ping_id", "PING-1");
    String bidId = ping("shielded", first).json().getString("bid_id");
    JsonObject second = call(callerId).put("call_uuid", "CA-link-2");
    assertThat(ping("shielded", second).json().getBoolean("cached")).isTrue();
    Correlation correlation = gateway.services().correlation();
    CallRecord one = awaitLink(correlation, "CA-link-1");
    assertThat(one.bidId()).contains(bidId);
    assertThat(one.subdomain()).contains("acme");
    assertThat(one.pingId()).contains("PING-1");
    assertThat(one.bidAmount().getAsDouble()).isEqualTo(5.5);
    // CA-link-2 got the same bid from the shield; correlation keeps one call per bid (the first).
  }

  private static CallRecord awaitLink(Correlation correlation, String callUuid) {
    return Eventually.value("a link with a bid for " + callUuid, () -> correlation.find(IdKind.CALL_UUID, callUuid)
        .await().filter(r -> r.bidId().isPresent()));
  }


}
