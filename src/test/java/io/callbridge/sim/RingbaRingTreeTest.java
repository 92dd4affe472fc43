package io.callbridge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.testing.Http;
import io.callbridge.testing.TestClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated Ringba's ring tree against real Ring Tree Targets on loopback: it pings them at
 * once, keeps only bids in time, at or above the minimum and accepted, routes to the highest and
 * takes the number from the winner's bid acceptance.
 */
class RingbaRingTreeTest {
  static Vertx vertx;
  static Simulator sim;
  static HttpServer targets;
  static String targetBase;
  static final TestClock clock = TestClock.at(Instant.ofEpochMilli(1_764_720_000_000L));
  /** What each fake target answers to a ping, by path; its acceptance answers by path + "/accept". */
  static final Map<String, JsonObject> bids = new ConcurrentHashMap<>();
  static final Map<String, JsonObject> accepts = new ConcurrentHashMap<>();
  static final Map<String, Long> delays = new ConcurrentHashMap<>();
  static final List<JsonObject> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    targets = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String path = req.path();
      received.add(new JsonObject().put("path", path).put("body", body.toJsonObject())
          .put("token", req.getHeader("X-CallBridge-Token")));
      JsonObject answer = path.endsWith("/accept") ? accepts.get(path) : bids.get(path);
      if (path.endsWith("/expire-on-accept/accept")) {
        clock.advance(Duration.ofSeconds(31));
      }
      Runnable reply = () -> req.response().putHeader("Content-Type", "application/json")
          .end(answer == null ? "{}" : answer.encode());
      long delay = delays.getOrDefault(path, 0L);
      if (delay > 0) {
        vertx.setTimer(delay, t -> reply.run());
      } else {
        reply.run();
      }
    })).listen(0, "127.0.0.1").await();
    targetBase = "http://127.0.0.1:" + targets.actualPort();
    String yaml = """
        ringba:
          ringTrees:
            tree:
              pingTimeout: 200ms
              minimumBid: 5
              targets:
                - { name: low, url: "%1$s/low", headers: { X-CallBridge-Token: t-1 } }
                - { name: high, url: "%1$s/high" }
        """.formatted(targetBase);
    sim = Simulator.start(vertx, SimConfig.parse(yaml, "test"), 1, 0, clock).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @BeforeEach
  void reset() {
    bids.clear();
    accepts.clear();
    delays.clear();
    received.clear();
  }

  static JsonObject bid(String id, double amount) {
    return new JsonObject().put("bidId", id).put("bidAmount", amount).put("expireInSeconds", 30)
        .put("accepted", true).put("duration", 60);
  }

  static JsonObject accepted(String number) {
    return new JsonObject().put("accepted", true).put("phoneNumber", number);
  }

  static Http.Response offer(String tree, JsonObject body) {
    return Http.post(sim.baseUrl() + "/_sim/ring-tree/" + tree, "application/json", body.encode(), Map.of());
  }

  static JsonObject call(String callId) {
    return new JsonObject().put("call", new JsonObject().put("CID", "+17735550111").put("inboundCallId", callId)
        .put("zipcode", "60601"));
  }

  @Test
  void routesTheCallToTheHighestBidAndTakesTheNumberFromItsAcceptance() {
    bids.put("/low", bid("B-low", 12));
    bids.put("/high", bid("B-high", 30));
    accepts.put("/high/accept", accepted("+18005550111"));

    JsonObject outcome = offer("tree", call("RGB1")).json();

    assertThat(outcome.getBoolean("routed")).as(outcome.encode()).isTrue();
    assertThat(outcome.getString("target")).isEqualTo("high");
    assertThat(outcome.getDouble("bidAmount")).isEqualTo(30.0);
    assertThat(outcome.getString("phoneNumber")).isEqualTo("+18005550111");
    // Both were pinged with the call as the RTT body; only the winner's acceptance was called,
    // with its bid id and the caller id; each target's own headers went with it.
    assertThat(received).extracting(r -> r.getString("path")).containsExactlyInAnyOrder("/low", "/high", "/high/accept");
    JsonObject ping = received.stream().filter(r -> r.getString("path").equals("/low")).findFirst().orElseThrow();
    assertThat(ping.getJsonObject("body").getString("inboundCallId")).isEqualTo("RGB1");
    assertThat(ping.getString("token")).isEqualTo("t-1");
    JsonObject accept = received.stream().filter(r -> r.getString("path").endsWith("/accept")).findFirst().orElseThrow();
    assertThat(accept.getJsonObject("body").getMap()).containsEntry("bidId", "B-high").containsEntry("CID", "+17735550111");
    assertThat(sim.state().getJsonObject("ringba").getJsonObject("ringTreeCalls").getJsonObject("RGB1")
        .getString("phoneNumber")).isEqualTo("+18005550111");
  }

  @Test
  void aTargetSlowerThanThePingTimeoutIsNoBidAndTheOthersStillCompete() {
    bids.put("/low", bid("B-low", 12));
    bids.put("/high", bid("B-high", 30));
    delays.put("/high", 600L);
    accepts.put("/low/accept", accepted("+18005550112"));

    JsonObject outcome = offer("tree", call("RGB2")).json();

    assertThat(outcome.getString("target")).as(outcome.encode()).isEqualTo("low");
    assertThat(results(outcome)).containsEntry("high", "timeout").containsEntry("low", "bid");
  }

  @Test
  void refusedBelowMinimumOrMalformedBidsDoNotRoute() {
    bids.put("/low", bid("B-low", 4.99));                               // below minimumBid 5
    bids.put("/high", new JsonObject().put("bidId", "B-high").put("bidAmount", 0).put("accepted", false)
        .put("rejectReason", "no_bid"));

    JsonObject outcome = offer("tree", call("RGB3")).json();
    assertThat(outcome.getBoolean("routed")).isFalse();
    assertThat(outcome.getString("reason")).isEqualTo("no_bid");
    assertThat(results(outcome)).containsEntry("low", "below_minimum").containsEntry("high", "no_bid");
    assertThat(received).noneMatch(r -> r.getString("path").endsWith("/accept"));

    bids.put("/high", new JsonObject().put("bidAmount", "25"));        // a string is not a bid
    assertThat(results(offer("tree", call("RGB4")).json())).containsEntry("high", "invalid_response");
  }

  @Test
  void anAcceptanceWithoutANumberOrAfterTheBidExpiredDoesNotRoute() {
    bids.put("/high", bid("B-high", 30));
    accepts.put("/high/accept", new JsonObject().put("accepted", true));
    JsonObject noNumber = offer("tree", call("RGB5")).json();
    assertThat(noNumber.getBoolean("routed")).isFalse();
    assertThat(noNumber.getString("reason")).isEqualTo("no_number");

    // A tree given with the call (a gateway on a port sim.yaml cannot know); the acceptance answers
    // after the bid's 30 seconds (the target moves the clock on).
    bids.put("/expire-on-accept", bid("B-x", 30));
    accepts.put("/expire-on-accept/accept", accepted("+18005550113"));
    JsonObject body = call("RGB6").put("targets", new JsonArray()
        .add(new JsonObject().put("name", "x").put("url", targetBase + "/expire-on-accept")));
    JsonObject expired = offer("any-tree", body).json();
    assertThat(expired.getBoolean("routed")).as(expired.encode()).isFalse();
    assertThat(expired.getString("reason")).isEqualTo("bid_expired");
  }

  @Test
  void badRequestsNameTheField() {
    Http.Response noCall = offer("tree", new JsonObject());
    assertThat(noCall.status()).isEqualTo(400);
    assertThat(noCall.json().getString("field")).isEqualTo("call");
    Http.Response unknown = offer("nope", call("RGB7"));
    assertThat(unknown.status()).isEqualTo(404);
    Http.Response badTarget = offer("tree", call("RGB8").put("targets", new JsonArray().add(new JsonObject().put("url", "ftp://x"))));
    assertThat(badTarget.status()).isEqualTo(400);
    assertThat(badTarget.json().getString("field")).isEqualTo("targets");
  }

  private static Map<String, Object> results(JsonObject outcome) {
    Map<String, Object> m = new java.util.HashMap<>();
    outcome.getJsonArray("pings").forEach(p -> m.put(((JsonObject) p).getString("target"), ((JsonObject) p).getString("result")));
    return m;
  }
}
