package io.callbridge.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.testing.TestClock;
import io.callbridge.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulators answer like Ringba and TrackDrive: real server on an ephemeral port, real HTTP client. */
class SimulatorTest {
  static final String YAML = """
      seed: 7
      recorder: { capacity: 1000 }
      ringba:
        enrich: { "*": {} }
        rtb:
          buyer:
            bidAmount: { uniform: [10, 20] }
            expireInSeconds: 60
            phoneNumbers: ["+17733408913"]
            sipDomain: rtb.ringba.sip.telnyx.com
          closed: { noBidRate: 1, rejectCode: 1007 }
          open-cid: { requireCallerId: false }
          half: { noBidRate: 0.5, rejectCode: 1003, bidAmount: { uniform: [1, 50] } }
        webhooks:
          hook: { knownCallIds: "RGB[0-9A-Z]+" }
          seen-hook: { knownCallIds: seen }
      trackdrive:
        defaultSubdomain: acme
        companies:
          acme:
            publicKey: pub
            privateKey: priv
            postingInstructions: [ { leadToken: tok-1, trafficSourceId: "77" } ]
            knownCallIds: "CALL-[0-9]+"
            ping: { vanity-1: { bid: { fixed: 31.5 } } }
          other: { publicKey: pub2, privateKey: priv2 }
      """;

  static Vertx vertx;
  static Simulator sim;
  static String base;
  static final TestClock clock = TestClock.at(Instant.ofEpochMilli(1_755_015_137_000L));

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimConfig.parse(YAML, "test"), 7, 0, clock).await();
    base = sim.baseUrl();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @BeforeEach
  void clear() {
    sim.clearRequests();
  }

  static Http.Response postJson(String path, JsonObject body) {
    return Http.post(base + path, "application/json", body.encode(), Map.of());
  }

  // ---- Ringba RTB

  @Test
  void rtbBidHasTheCapturedShape() {
    Http.Response r = postJson("/v1/production/buyer.json",
        new JsonObject().put("CID", "15557770001").put("exposeCallerId", "yes").put("zipcode", "12345"));
    assertThat(r.status()).isEqualTo(200);
    JsonObject bid = r.json();
    assertThat(bid.fieldNames()).containsExactlyInAnyOrder("bidId", "bidAmount", "expireInSeconds", "bidExpireDT",
        "bidExpireEpoch", "phoneNumber", "phoneNumberNoPlus", "sipAddress", "warnings");
    assertThat(bid.getString("bidId")).matches("RTB[0-9a-f]{32}");
    assertThat(bid.getDouble("bidAmount")).isBetween(10.0, 20.0);
    assertThat(bid.getInteger("expireInSeconds")).isEqualTo(60);
    assertThat(bid.getLong("bidExpireEpoch")).isEqualTo(clock.millis() + 60_000);
    assertThat(bid.getString("bidExpireDT")).matches("\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M \\+00:00");
    assertThat(bid.getString("phoneNumber")).isEqualTo("+17733408913");
    assertThat(bid.getString("phoneNumberNoPlus")).isEqualTo("17733408913");
    assertThat(bid.getString("sipAddress")).isEqualTo(bid.getString("bidId") + "@rtb.ringba.sip.telnyx.com");
    assertThat(bid.getJsonArray("warnings")).isEmpty();
  }

  @Test
  void rtbGetWithAQueryStringBidsToo() {
    Http.Response r = Http.get(base + "/v1/production/buyer.json?CID=15557770002&zipcode=12345");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getDouble("bidAmount")).isPositive();
  }

  @Test
  void repeatPingBeforeExpiryGetsTheCachedBidWithWarning230AndLessLife() {
    JsonObject ping = new JsonObject().put("CID", "15557770003").put("zipcode", "12345");
    JsonObject first = postJson("/v1/production/buyer.json", ping).json();
    clock.advance(Duration.ofSeconds(15));
    JsonObject again = postJson("/v1/production/buyer.json", new JsonObject().put("zipcode", "12345")
        .put("CID", "15557770003")).json();
    assertThat(again.getString("bidId")).isEqualTo(first.getString("bidId"));
    assertThat(again.getDouble("bidAmount")).isEqualTo(first.getDouble("bidAmount"));
    assertThat(again.getLong("bidExpireEpoch")).isEqualTo(first.getLong("bidExpireEpoch"));
    assertThat(again.getInteger("expireInSeconds")).isEqualTo(45);
    JsonObject warning = again.getJsonArray("warnings").getJsonObject(0);
    assertThat(warning.getInteger("code")).isEqualTo(230);
    assertThat(warning.getString("description"))
        .isEqualTo("Previous bid for this request not yet expired. This is a cached version");

    JsonObject otherTags = postJson("/v1/production/buyer.json", ping.copy().put("zipcode", "99999")).json();
    assertThat(otherTags.getString("bidId")).isNotEqualTo(first.getString("bidId"));

    clock.advance(Duration.ofSeconds(46));
    JsonObject expired = postJson("/v1/production/buyer.json", ping).json();
    assertThat(expired.getString("bidId")).isNotEqualTo(first.getString("bidId"));
    assertThat(expired.getJsonArray("warnings")).isEmpty();
  }

  @Test
  void noBidCarriesTheRejectCodeAndNoNumber() {
    JsonObject r = postJson("/v1/production/closed.json", new JsonObject().put("CID", "15557770004")).json();
    assertThat(r.getInteger("bidAmount")).isZero();
    assertThat(r.getString("rejectReason")).startsWith("1007");
    assertThat(r.getString("bidId")).isNotBlank();
    assertThat(r.containsKey("phoneNumber")).isFalse();
  }

  @Test
  void missingCallerIdIs1100WhereRequired() {
    JsonObject r = postJson("/v1/production/buyer.json", new JsonObject().put("zipcode", "12345")).json();
    assertThat(r.getInteger("bidAmount")).isZero();
    assertThat(r.getString("rejectReason")).startsWith("1100");
    JsonObject open = postJson("/v1/production/open-cid.json", new JsonObject().put("zipcode", "12345")).json();
    assertThat(open.getDouble("bidAmount")).isPositive();
  }

  @Test
  void unknownRtbIdIs404() {
    assertThat(postJson("/v1/production/nobody.json", new JsonObject().put("CID", "15557770005")).status())
        .isEqualTo(404);
  }

  // ---- Ringba IDE and webhook

  @Test
  void enrichmentNeedsAParsableCallerIdAndIsKept() {
    Http.Response ok = Http.get(base + "/enrich/PN1?callerid=%2B15557770006&trackdrive_call_uuid=CALL-6&zip=60601");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json()).isEqualTo(new JsonObject().put("status", "ok"));
    assertThat(Http.get(base + "/enrich/PN1?zip=1").status()).isEqualTo(400);
    assertThat(Http.get(base + "/enrich/PN1?callerid=abc").status()).isEqualTo(400);
    Http.Response post = Http.post(base + "/enrich/PN1", "application/x-www-form-urlencoded",
        "callerid=5557770007&state=IL", Map.of());
    assertThat(post.status()).isEqualTo(200);
    JsonObject kept = sim.state().getJsonObject("ringba").getJsonObject("enrichments");
    assertThat(kept.getJsonObject("+15557770006").getJsonObject("values").getString("trackdrive_call_uuid"))
        .isEqualTo("CALL-6");
    assertThat(kept.getJsonObject("+15557770007").getString("publisherNumberId")).isEqualTo("PN1");
  }

  @Test
  void webhookConvertsOncePerCallThen404() {
    assertThat(Http.get(base + "/hook/hook?call_id=RGB0001&call_revenue=12.5&sale_successful=true").status())
        .isEqualTo(200);
    assertThat(Http.get(base + "/hook/hook?call_id=RGB0001&call_revenue=12.5&sale_successful=true").status())
        .as("a second conversion for the same call").isEqualTo(404);
    Http.Response noFire = Http.post(base + "/hook/hook?call_id=RGB0001&call_revenue=20", null, null, Map.of());
    assertThat(noFire.status()).as("without the Fire Conversion parameter nothing converts").isEqualTo(200);
    assertThat(noFire.json().getBoolean("converted")).isFalse();
    // Ringba converts whenever the Fire Conversion parameter is present, whatever its value, even at $0.
    assertThat(Http.get(base + "/hook/hook?call_id=RGB0003&call_revenue=0&sale_successful=no").status()).isEqualTo(200);
    assertThat(Http.get(base + "/hook/hook?call_id=RGB0003&call_revenue=30&sale_successful=true").status())
        .as("the $0 hit used up the call's one conversion").isEqualTo(404);
    assertThat(Http.get(base + "/hook/hook?call_id=not-a-ringba-id&call_revenue=1").status())
        .as("unknown call id").isEqualTo(404);
    assertThat(Http.get(base + "/hook/nope?call_id=RGB0002").status()).as("unknown webhook id").isEqualTo(404);
    assertThat(sim.state().getJsonObject("ringba").getJsonObject("conversions").getJsonObject("RGB0001")
        .getString("revenue")).isEqualTo("12.5");
  }

  @Test
  void seenCallIdsAreTheOnesTrackDriveLeadsCarried() {
    assertThat(Http.get(base + "/hook/seen-hook?call_id=RGBSEEN1").status()).isEqualTo(404);
    lead(new JsonObject().put("lead_token", "tok-1").put("traffic_source_id", "77").put("caller_id", "+15557770008")
        .put("data", new JsonObject().put("ringba_call_uuid", "RGBSEEN1")));
    assertThat(Http.get(base + "/hook/seen-hook?call_id=RGBSEEN1").status()).isEqualTo(200);
  }

  // ---- TrackDrive

  static Http.Response lead(JsonObject body) {
    return postJson("/api/v1/leads", body);
  }

  @Test
  void leadWithThePostingInstructionsIsAccepted() {
    Http.Response r = lead(new JsonObject().put("lead_token", "tok-1").put("traffic_source_id", "77")
        .put("caller_id", "18004506787").put("data", new JsonObject().put("ringba_call_uuid", "RGB9")).put("zip", "1"));
    assertThat(r.status()).isEqualTo(200);
    JsonObject lead = r.json().getJsonObject("lead");
    assertThat(r.json().getString("status")).isEqualTo("success");
    assertThat(lead.getString("caller_id")).isEqualTo("+18004506787");
    assertThat(lead.getJsonObject("data").getString("ringba_call_uuid")).isEqualTo("RGB9");
    assertThat(lead.getJsonObject("data").getString("zip")).as("any non-reserved key becomes a token").isEqualTo("1");
    assertThat(lead.getValue("id")).isNotNull();

    Http.Response form = Http.post(base + "/api/v1/leads", "application/x-www-form-urlencoded",
        "lead_token=tok-1&traffic_source_id=77&caller_id=%2B18004506788&data%5Bringba_call_uuid%5D=RGB10", Map.of());
    assertThat(form.status()).isEqualTo(200);
    assertThat(form.json().getJsonObject("lead").getJsonObject("data").getString("ringba_call_uuid")).isEqualTo("RGB10");
  }

  @Test
  void leadOutsideThePostingInstructionsIs422WithErrors() {
    Http.Response badToken = lead(new JsonObject().put("lead_token", "tok-X").put("traffic_source_id", "77")
        .put("caller_id", "+18004506787"));
    assertThat(badToken.status()).isEqualTo(422);
    assertThat(badToken.json().getString("status")).isEqualTo("error");
    assertThat(badToken.json().getJsonObject("errors").getJsonArray("lead_token")).isEqualTo(new JsonArray().add("is invalid"));

    Http.Response badSource = lead(new JsonObject().put("lead_token", "tok-1").put("traffic_source_id", "78")
        .put("caller_id", "+18004506787"));
    assertThat(badSource.status()).isEqualTo(422);
    assertThat(badSource.json().getJsonObject("errors").fieldNames()).containsExactly("traffic_source_id");

    Http.Response nothing = lead(new JsonObject());
    assertThat(nothing.status()).isEqualTo(422);
    assertThat(nothing.json().getJsonObject("errors").fieldNames())
        .containsExactlyInAnyOrder("lead_token", "traffic_source_id", "caller_id");
  }

  static Map<String, String> basic(String user, String password) {
    return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void updateCallNeedsBasicAuthAKnownCallAndRecordsTheValues() {
    String body = new JsonObject().put("buyer_converted", "true").put("revenue", 12.5).put("payout", 10)
        .put("post_call_tokens", new JsonObject().put("ringba_bid", "RTB1")).encode();
    String url = base + "/api/v1/calls/update_call/CALL-42";
    assertThat(Http.post(url, "application/json", body, Map.of()).status()).isEqualTo(401);
    Http.Response wrong = Http.post(url, "application/json", body, basic("pub", "wrong"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.header("WWW-Authenticate")).startsWith("Basic");
    assertThat(Http.post(base + "/api/v1/calls/update_call/unknown", "application/json", body, basic("pub", "priv"))
        .status()).isEqualTo(404);
    Http.Response ok = Http.post(url, "application/json", body, basic("pub", "priv"));
    assertThat(ok.status()).isEqualTo(200);
    JsonObject call = sim.state().getJsonObject("trackdrive").getJsonObject("calls").getJsonObject("acme/CALL-42");
    assertThat(call.getValue("buyer_converted")).as("read as TrackDrive reads booleans").isEqualTo(Boolean.TRUE);
    assertThat(call.getDouble("revenue")).isEqualTo(12.5);
    assertThat(call.getInteger("payout")).isEqualTo(10);
    assertThat(call.getJsonObject("post_call_tokens").getString("ringba_bid")).isEqualTo("RTB1");
    assertThat(call.getInteger("updates")).isEqualTo(1);
    // TrackDrive can refuse with HTTP 200 and "status":"error": nothing is booked then.
    Http.Response refused = Http.post(url, "application/json", new JsonObject().put("revenue", "ten")
        .put("buyer_converted", "maybe").encode(), basic("pub", "priv"));
    assertThat(refused.status()).isEqualTo(200);
    assertThat(refused.json().getString("status")).isEqualTo("error");
    assertThat(refused.json().getJsonObject("errors").fieldNames()).containsExactlyInAnyOrder("revenue", "buyer_converted");
    assertThat(sim.state().getJsonObject("trackdrive").getJsonObject("calls").getJsonObject("acme/CALL-42")
        .getInteger("updates")).isEqualTo(1);
  }

  /** Raw HTTP/1.1, because java.net.http does not let a caller set Host. */
  static int statusWithHost(String host, String path, String authorization) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5000);
      String request = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + authorization
          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  @Test
  void companyComesFromTheTrackDriveHostName() throws Exception {
    String path = "/api/v1/calls/update_call/ANY-1";
    assertThat(statusWithHost("other.trackdrive.com", path, basic("pub2", "priv2").get("Authorization"))).isEqualTo(200);
    assertThat(statusWithHost("other.trackdrive.com", path, basic("pub", "priv").get("Authorization"))).isEqualTo(401);
    assertThat(statusWithHost("127.0.0.1", path, basic("pub2", "priv2").get("Authorization")))
        .as("any other host is the default company, acme").isEqualTo(401);
    assertThat(statusWithHost("nobody.trackdrive.com", path, basic("pub", "priv").get("Authorization"))).isEqualTo(404);
  }

  @Test
  void trackDrivePingAnswersWithABuyer() {
    JsonObject r = postJson("/api/v1/inbound_webhooks/ping/vanity-1", new JsonObject().put("caller_id", "+15557770009"))
        .json();
    assertThat(r.getString("status")).isEqualTo("success");
    assertThat(r.getString("try_all_buyers_ping_id")).isNotBlank();
    assertThat(r.getJsonArray("buyers").getJsonObject(0).getValue("buyer_id")).isEqualTo(1);
    assertThat(r.getJsonArray("buyers").getJsonObject(0).getDouble("bid")).isEqualTo(31.5);
    assertThat(r.getJsonArray("buyers").getJsonObject(0).getString("ping_id")).isNotBlank();
    assertThat(r.getJsonArray("errors")).isEmpty();
  }

  // ---- the recorder

  @Test
  void recorderKeepsWhatArrivedFiltersByPathAndSinceAndClears() {
    long before = sim.lastSeq();
    Http.get(base + "/enrich/PN2?callerid=%2B15557770010");
    postJson("/v1/production/buyer.json", new JsonObject().put("CID", "15557770010"));
    JsonObject page = Http.get(base + "/_sim/requests?path=/v1/production/&since=" + before).json();
    JsonArray reqs = page.getJsonArray("requests");
    assertThat(reqs).hasSize(1);
    JsonObject e = reqs.getJsonObject(0);
    assertThat(e.getString("method")).isEqualTo("POST");
    assertThat(e.getString("endpoint")).isEqualTo("ringba.rtb");
    assertThat(e.getString("id")).isEqualTo("buyer");
    assertThat(new JsonObject(e.getString("body")).getString("CID")).isEqualTo("15557770010");
    assertThat(e.getInteger("status")).isEqualTo(200);
    assertThat(new JsonObject(e.getString("response")).getDouble("bidAmount")).isPositive();
    assertThat(e.getString("outcome")).startsWith("bid");

    long next = page.getLong("next");
    assertThat(Http.get(base + "/_sim/requests?since=" + next).json().getJsonArray("requests")).isEmpty();
    assertThat(Http.get(base + "/_sim/requests?path=/enrich/&since=" + Instant.EPOCH).json()
        .getJsonArray("requests")).hasSize(1);
    assertThat(Http.get(base + "/_sim/requests?since=yesterday").status()).isEqualTo(400);

    assertThat(Http.send("DELETE", base + "/_sim/requests", null, null, Map.of()).status()).isEqualTo(200);
    assertThat(Http.get(base + "/_sim/requests").json().getJsonArray("requests")).isEmpty();
  }

  @Test
  void recorderIsBounded() {
    Vertx v = Vertx.vertx();
    try {
      Simulator small = Simulator.start(v, SimConfig.parse("recorder: { capacity: 3 }", "t"), 1, 0).await();
      for (int i = 0; i < 5; i++) {
        Http.get(small.baseUrl() + "/enrich/PN?callerid=%2B1555777001" + i);
      }
      JsonObject page = Http.get(small.baseUrl() + "/_sim/requests").json();
      assertThat(page.getJsonArray("requests")).hasSize(3);
      assertThat(page.getLong("dropped")).isEqualTo(2);
      assertThat(page.getJsonArray("requests").getJsonObject(0).getString("query")).endsWith("2");
    } finally {
      v.close().await();
    }
  }

  // ---- configuration

  @Test
  void configErrorsNameTheirPath() {
    assertThatThrownBy(() -> SimConfig.parse("""
        ringba:
          rtb:
            a: { rejectCode: 1234, noBidRat: 0.5, latency: { uniform: [50ms, 5ms] } }
        """, "sim.yaml"))
        .isInstanceOf(SimConfig.Invalid.class)
        .satisfies(e -> assertThat(((SimConfig.Invalid) e).errors()).anySatisfy(m -> assertThat(m).startsWith(
            "ringba.rtb.a.rejectCode: not a Ringba reject code"))
            .anySatisfy(m -> assertThat(m).startsWith("ringba.rtb.a.noBidRat: unknown key"))
            .anySatisfy(m -> assertThat(m).startsWith("ringba.rtb.a.latency.uniform: max is below min")));
  }

  @Test
  void shippedSimConfigLoads() {
    SimConfig c = SimConfig.load(java.nio.file.Path.of("conf/sim.yaml"));
    assertThat(c.rtb()).containsKeys("demo-rtb-buyer-a", "demo-rtb-buyer-b");
    assertThat(c.webhooks()).containsKey("demo-conversion-hook");
    assertThat(c.companies().get("demo").postingInstructions()).isNotEmpty();
    assertThat(SimConfig.defaults().rtb()).containsKey("*");
  }

  static List<String> outcomes(Simulator s, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonObject r = Http.post(s.baseUrl() + "/v1/production/half.json", "application/json",
          new JsonObject().put("CID", String.format("1555777%04d", i)).encode(), Map.of()).json();
      out.add(r.getString("bidId") + " " + r.getValue("bidAmount") + " " + r.getString("rejectReason"));
    }
    return out;
  }

  @Test
  void sameSeedSameAnswers() {
    Vertx v = Vertx.vertx();
    try {
      SimConfig c = SimConfig.parse(YAML, "test");
      Simulator a = Simulator.start(v, c, 42, 0).await();
      Simulator b = Simulator.start(v, c, 42, 0).await();
      Simulator other = Simulator.start(v, c, 43, 0).await();
      List<String> first = outcomes(a, 20);
      assertThat(outcomes(b, 20)).isEqualTo(first);
      assertThat(outcomes(other, 20)).isNotEqualTo(first);
      assertThat(first).anyMatch(s -> s.contains("1003")).anyMatch(s -> !s.contains("1003"));
    } finally {
      v.close().await();
    }
  }
}
