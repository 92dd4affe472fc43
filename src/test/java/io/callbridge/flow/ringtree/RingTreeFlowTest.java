package io.callbridge.flow.ringtree;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Flows;
import io.callbridge.Gateway;
import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ringba pings TrackDrive's buyers through CallBridge, end to end: the gateway on real sockets and
 * PostgreSQL, the simulator playing TrackDrive's inbound ping/post webhooks (which refuse a post
 * with an unknown or expired ping id, another caller id or a buyer the ping id does not name, and a
 * second post of one ping), and a clock the test moves for the bid's life.
 */
class RingTreeFlowTest {
  static final String SIM = """
      ringba:
        enrich: { "*": {} }
      trackdrive:
        defaultSubdomain: demo
        companies:
          demo:
            knownCallIds: any
            ping:
              failing: { faults: { http500: 1.0 } }
              buyers: { bid: { fixed: 25.0 }, number: "+18005550111" }
              cheap: { bid: { fixed: 4.0 }, number: "+18005550122" }
              empty: { noBidRate: 1.0 }
      """;
  static final String YAML = """
      server: { accessLog: false, adminToken: admin-secret }
      destinations:
        trackdrive: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true,
                      headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" } }   # the simulator's demo-public:demo-private
        td-fragile: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true,
                      breaker: { failures: 2, window: 60s, resetTimeout: 60s } }
        ringba-ide: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true }
      routes:
        - name: fragile
          kind: ring-tree
          auth: { token: rt-secret }
          shield: false
          targets:
            - { name: failing, destination: td-fragile, template: trackdrive-inbound-ping, vars: { vanity: failing } }
            - { name: main, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: buyers } }
        # TrackDrive's pre-dial webhook for the call its post created (it carries ringba_call_uuid) ...
        - name: td-enrich
          kind: enrich
          auth: { token: rt-secret }
          targets: [ { name: ide, destination: ringba-ide, template: ringba-enrich, vars: { publisher_number_id: PN1 } } ]
        # ... and Ringba's Payout pixel for the Ringba call, which knows only Ringba's ids.
        - name: rt-payout
          kind: postback
          auth: { token: rt-secret }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          matchBy: [inboundCallId]
          retrySchedule: [0s, 200ms]
          targets: [ { destination: trackdrive, template: trackdrive-update-call } ]
        - name: rt
          kind: ring-tree
          auth: { token: rt-secret }
          bidSeconds: 30
          tags: [zipcode]
          targets:
            - { name: main, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: buyers } }
            - { name: low, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: cheap } }
        - name: floored
          kind: ring-tree
          auth: { token: rt-secret }
          floor: 10
          targets:
            - { name: low, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: cheap } }
        - name: none
          kind: ring-tree
          auth: { token: rt-secret }
          targets:
            - { name: empty, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: empty } }
        - name: all
          kind: ring-tree
          auth: { token: rt-secret }
          post: try_all
          transferNumber: "+18005550199"
          targets:
            - { name: main, destination: trackdrive, template: trackdrive-inbound-ping, vars: { vanity: buyers } }
      """;
  static final Map<String, String> AUTH = Map.of("X-CallBridge-Token", "rt-secret");
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-secret");
  static final AtomicInteger CALLER = new AtomicInteger(3_000_000);

  static Vertx vertx;
  static Simulator sim;
  static PostgresConfig db;
  static TestClock clock;
  static Gateway gateway;
  static Gateway other;
  static String base;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimConfig.parse(SIM, "ring-tree"), 11, 0).await();
    db = TestDb.freshSchema(RingTreeFlowTest.class);
    clock = TestClock.ticking();
    Map<String, String> vars = Map.of("SIM", String.valueOf(sim.port()));
    gateway = Gateway.start(TestConfigs.forTest(YAML, db, vars), clock, Flows::create).await();
    other = Gateway.start(TestConfigs.forTest(YAML, db, vars), clock, Flows::create).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
  }

  @AfterAll
  static void stop() {
    other.stop().await();
    gateway.stop().await();
    sim.close().await();
    vertx.close().await();
    TestDb.drop(db);
  }

  static String caller() {
    return "+1555" + CALLER.incrementAndGet();
  }

  static Http.Response post(String url, JsonObject body) {
    return Http.post(url, "application/json", body.encode(), AUTH);
  }

  static JsonObject ping(String route, String callerId, String callId) {
    Http.Response r = post(base + "/v1/ring-tree/" + route, new JsonObject().put("CID", callerId)
        .put("inboundCallId", callId).put("zipcode", "60601"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static Http.Response accept(String at, String bidId, String callerId) {
    JsonObject body = new JsonObject().put("bidId", bidId);
    if (callerId != null) {
      body.put("CID", callerId);
    }
    return post(at + "/v1/ring-tree/rt/accept", body);
  }

  static List<JsonObject> posts(String pingId) {
    return sim.requests("/api/v1/inbound_webhooks/post/").stream()
        .filter(r -> String.valueOf(r.getValue("body")).contains(pingId)).toList();
  }

  @Test
  void theBestTrackDriveBidIsAnsweredInRingbasWordsAndTheAcceptPostsThatBuyersPingId() {
    String cid = caller();
    JsonObject bid = ping("rt", cid, "RGB-RT-1");
    assertThat(bid.getBoolean("accepted")).isTrue();
    assertThat(bid.getValue("bidAmount")).isEqualTo(25.0);
    assertThat(bid.getString("bidId")).startsWith("RT").contains(".main.1");
    assertThat(bid.getInteger("expireInSeconds")).isBetween(29, 30);
    assertThat(bid.getInteger("duration")).isEqualTo(60);
    assertThat(bid.containsKey("phoneNumber")).as("no transferNumber: the number comes with the accept").isFalse();
    assertThat(bid.getJsonArray("targets").size()).isEqualTo(2);

    JsonObject tdPing = sim.requests("/api/v1/inbound_webhooks/ping/buyers").stream()
        .filter(r -> r.getString("body").contains("RGB-RT-1")).findFirst().orElseThrow();
    JsonObject pinged = new JsonObject(tdPing.getString("body"));
    assertThat(pinged.getString("caller_id")).isEqualTo(cid.substring(1));
    assertThat(pinged.getString("ringba_call_uuid")).isEqualTo("RGB-RT-1");
    assertThat(pinged.getString("zipcode")).as("a route tag").isEqualTo("60601");
    String pingId = new JsonObject(tdPing.getString("response")).getJsonArray("buyers").getJsonObject(0)
        .getString("ping_id");

    Http.Response accepted = accept(base, bid.getString("bidId"), cid);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
    assertThat(accepted.json().getBoolean("accepted")).isTrue();
    assertThat(accepted.json().getString("phoneNumber")).isEqualTo("+18005550111");
    assertThat(accepted.json().getString("phoneNumberNoPlus")).isEqualTo("18005550111");
    List<JsonObject> posts = posts(pingId);
    assertThat(posts).hasSize(1);
    JsonObject posted = new JsonObject(posts.get(0).getString("body"));
    assertThat(posted.getString("ping_id")).isEqualTo(pingId);
    assertThat(posted.getString("buyer_id")).isEqualTo("1");
    assertThat(posted.getString("caller_id")).isEqualTo(cid.substring(1));
    assertThat(posted.getString("ringba_call_uuid")).isEqualTo("RGB-RT-1");

    Http.Response again = accept(base, bid.getString("bidId"), cid);
    assertThat(again.json()).isEqualTo(accepted.json());
    assertThat(posts(pingId)).as("Ringba asking twice posts once").hasSize(1);

    JsonObject call = Eventually.value("the call linked", () -> {
      Http.Response r = Http.get("http://127.0.0.1:" + gateway.adminPort() + "/admin/calls/RGB-RT-1", ADMIN);
      return r.status() == 200 ? Optional.of(r.json()) : Optional.empty();
    });
    JsonObject ids = call.getJsonObject("ids");
    assertThat(ids.getJsonObject("bidId").getString("value")).isEqualTo(bid.getString("bidId"));
    assertThat(ids.getJsonObject("ping_id").getString("value")).isEqualTo(pingId);
    assertThat(ids.getJsonObject("caller_id").getString("value")).isEqualTo(cid);
  }

  @Test
  void anotherInstanceAcceptsABidThisOneAnswered() {
    String cid = caller();
    JsonObject bid = ping("rt", cid, "RGB-RT-2");
    Http.Response accepted = accept("http://127.0.0.1:" + other.publicPort(), bid.getString("bidId"), cid);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
    assertThat(accepted.json().getString("phoneNumber")).isEqualTo("+18005550111");
  }

  @Test
  void anExpiredBidIsRefusedWithTheReasonAndNothingIsPosted() {
    String cid = caller();
    JsonObject bid = ping("rt", cid, "RGB-RT-3");
    long before = sim.requests("/api/v1/inbound_webhooks/post/").size();
    clock.advance(Duration.ofSeconds(31));
    Http.Response r = accept(base, bid.getString("bidId"), cid);
    assertThat(r.status()).isEqualTo(410);
    assertThat(r.json().getString("reason")).isEqualTo("expired");
    assertThat(r.json().getString("field")).isEqualTo("bidId");
    assertThat(sim.requests("/api/v1/inbound_webhooks/post/")).hasSize((int) before);
  }

  @Test
  void anUnknownBidAndAnotherCallerAreRefused() {
    Http.Response unknown = accept(base, "RT0123456789abcdef0123.main.1", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("reason")).isEqualTo("unknown_bid");
    assertThat(accept(base, "not-ours", null).status()).isEqualTo(404);
    Http.Response missing = post(base + "/v1/ring-tree/rt/accept", new JsonObject());
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().getString("field")).isEqualTo("bidId");

    String cid = caller();
    JsonObject bid = ping("rt", cid, "RGB-RT-4");
    Http.Response wrong = accept(base, bid.getString("bidId"), caller());
    assertThat(wrong.status()).isEqualTo(409);
    assertThat(wrong.json().getString("reason")).isEqualTo("caller_id_mismatch");
    assertThat(accept(base, bid.getString("bidId"), cid).status()).as("the right caller still may").isEqualTo(200);
  }

  @Test
  void noBuyerAndBelowTheFloorAreClearNoBids() {
    JsonObject none = ping("none", caller(), "RGB-RT-5");
    assertThat(none.getBoolean("accepted")).isFalse();
    assertThat(none.getValue("bidAmount")).isEqualTo(0);
    assertThat(none.getString("rejectReason")).isEqualTo("no_bid");
    JsonObject floored = ping("floored", caller(), "RGB-RT-6");
    assertThat(floored.getString("rejectReason")).isEqualTo("below_floor");
    assertThat(floored.getJsonArray("targets").getJsonObject(0).getString("result")).isEqualTo("below_floor");
  }

  @Test
  void aRepeatedPingForTheSameCallGetsTheSameBidWithoutPingingTrackDrive() {
    String cid = caller();
    JsonObject first = ping("rt", cid, "RGB-RT-7");
    long pings = sim.requests("/api/v1/inbound_webhooks/ping/").size();
    JsonObject second = ping("rt", cid, "RGB-RT-7");
    assertThat(second.getString("bidId")).isEqualTo(first.getString("bidId"));
    assertThat(second.getBoolean("cached")).isTrue();
    assertThat(sim.requests("/api/v1/inbound_webhooks/ping/")).hasSize((int) pings);
    JsonObject otherCall = ping("rt", cid, "RGB-RT-8");
    assertThat(otherCall.getString("bidId")).as("another Ringba call from the caller").isNotEqualTo(first.getString("bidId"));
  }

  @Test
  void tryAllPostsTrackDrivesTryAllPingIdWithoutABuyer() {
    String cid = caller();
    JsonObject bid = ping("all", cid, "RGB-RT-9");
    assertThat(bid.getString("phoneNumber")).as("the route's transferNumber").isEqualTo("+18005550199");
    JsonObject tdPing = sim.requests("/api/v1/inbound_webhooks/ping/buyers").stream()
        .filter(r -> r.getString("body").contains("RGB-RT-9")).findFirst().orElseThrow();
    String tryAll = new JsonObject(tdPing.getString("response")).getString("try_all_buyers_ping_id");
    Http.Response r = post(base + "/v1/ring-tree/all/accept", new JsonObject().put("bidId", bid.getString("bidId")));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject posted = new JsonObject(posts(tryAll).get(0).getString("body"));
    assertThat(posted.getString("ping_id")).isEqualTo(tryAll);
    assertThat(posted.containsKey("buyer_id")).isFalse();
  }

  @Test
  void anOpenBreakerSkipsItsWebhookWhileTheOthersStillBid() {
    long failingPings = sim.requests("/api/v1/inbound_webhooks/ping/failing").size();
    for (int i = 0; i < 2; i++) {
      JsonObject bid = ping("fragile", caller(), "RGB-RT-BRK-" + i);
      assertThat(bid.getBoolean("accepted")).as("the healthy webhook still bids").isTrue();
      assertThat(result(bid, "failing")).isEqualTo("http_error");
    }
    JsonObject skipped = ping("fragile", caller(), "RGB-RT-BRK-2");
    assertThat(result(skipped, "failing")).isEqualTo("breaker_open");
    assertThat(skipped.getValue("bidAmount")).isEqualTo(25.0);
    assertThat(sim.requests("/api/v1/inbound_webhooks/ping/failing")).as("an open breaker sends nothing")
        .hasSize((int) failingPings + 2);
  }

  @Test
  void metricsCountPingsEachWebhooksAnswerAndAccepts() {
    double accepted = metric("callbridge_ring_tree_pings_total", "route=\"rt\"", "result=\"accepted\"", "cached=\"false\"");
    double mainBids = metric("callbridge_ring_tree_bids_total", "route=\"rt\"", "target=\"main\"", "result=\"accepted\"");
    double lowBids = metric("callbridge_ring_tree_bids_total", "route=\"rt\"", "target=\"low\"");
    double accepts = metric("callbridge_ring_tree_accepts_total", "route=\"rt\"", "result=\"accepted\"");
    double expired = metric("callbridge_ring_tree_accepts_total", "route=\"rt\"", "result=\"expired\"");
    double latency = metric("callbridge_ring_tree_latency_seconds_count", "route=\"rt\"", "step=\"accept\"");
    String cid = caller();
    JsonObject bid = ping("rt", cid, "RGB-RT-MET");
    accept(base, bid.getString("bidId"), cid);
    accept(base, bid.getString("bidId"), cid);   // a repeat is answered again, not counted again
    assertThat(metric("callbridge_ring_tree_pings_total", "route=\"rt\"", "result=\"accepted\"", "cached=\"false\""))
        .isEqualTo(accepted + 1);
    assertThat(metric("callbridge_ring_tree_bids_total", "route=\"rt\"", "target=\"main\"", "result=\"accepted\""))
        .isEqualTo(mainBids + 1);
    assertThat(metric("callbridge_ring_tree_bids_total", "route=\"rt\"", "target=\"low\"")).isEqualTo(lowBids + 1);
    assertThat(metric("callbridge_ring_tree_accepts_total", "route=\"rt\"", "result=\"accepted\"")).isEqualTo(accepts + 1);
    assertThat(metric("callbridge_ring_tree_accepts_total", "route=\"rt\"", "result=\"expired\"")).isEqualTo(expired);
    assertThat(metric("callbridge_ring_tree_latency_seconds_count", "route=\"rt\"", "step=\"accept\""))
        .isGreaterThan(latency);
  }

  @Test
  void ringbasPayoutForARingTreeCallReachesTheTrackDriveCallItsPostCreated() {
    String cid = caller();
    String ringbaCall = "RGB-RT-E2E";
    JsonObject bid = ping("rt", cid, ringbaCall);
    assertThat(accept(base, bid.getString("bidId"), cid).status()).isEqualTo(200);
    // TrackDrive routes the posted call; its pre-dial webhook carries the contact field the post set.
    Http.Response enrich = post(base + "/v1/enrich/td-enrich", new JsonObject().put("caller_id", cid)
        .put("call_uuid", "TD-RT-E2E").put("ringba_call_uuid", ringbaCall));
    assertThat(enrich.status()).as(enrich.body()).isEqualTo(200);
    // Ringba's Payout pixel names only its own call, on the other instance.
    Http.Response payout = post("http://127.0.0.1:" + other.publicPort() + "/v1/postbacks/rt-payout",
        new JsonObject().put("inboundCallId", ringbaCall).put("payout", "25.00"));
    assertThat(payout.status()).as(payout.body()).isIn(200, 202);
    long id = payout.json().getLong("id");
    JsonObject row = Eventually.value("postback " + id + " delivered", () -> Optional.of(
        Http.get("http://127.0.0.1:" + gateway.adminPort() + "/admin/postbacks/" + id, ADMIN).json())
        .filter(j -> "delivered".equals(j.getString("status"))));
    assertThat(row.getJsonObject("request").getString("uri")).endsWith("/update_call/TD-RT-E2E");
    JsonObject update = sim.requests("/api/v1/calls/update_call/TD-RT-E2E").stream().findFirst()
        .map(r -> new JsonObject(r.getString("body"))).orElseThrow();
    assertThat(update.getValue("revenue")).as("Ringba's payout is TrackDrive's revenue").isEqualTo(25.0);
  }

  private static String result(JsonObject bid, String target) {
    return bid.getJsonArray("targets").stream().map(JsonObject.class::cast)
        .filter(t -> target.equals(t.getString("target"))).findFirst().orElseThrow().getString("result");
  }

  /** The sum of a Prometheus sample's values over every series carrying all of {@code labels}. */
  private static double metric(String name, String... labels) {
    String text = Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
