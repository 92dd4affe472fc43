package io.callbridge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both platforms' reporting APIs in the simulator: auth, time windows, pagination as each platform pages, faults. */
class ReportingTest {
  static Vertx vertx;
  static Simulator sim;
  static final Map<String, String> TD_AUTH = Map.of("Authorization", "Basic "
      + Base64.getEncoder().encodeToString("demo-public:demo-private".getBytes())); // no Host: the default company, demo
  static final Map<String, String> RINGBA_AUTH = Map.of("Authorization", "Token demo-api-token");

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    JsonArray td = new JsonArray();
    JsonArray ringba = new JsonArray();
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    for (int i = 0; i < 57; i++) {
      td.add(new JsonObject().put("subdomain", "demo").put("uuid", "TD-REP-" + i).put("created_at", t0.plusSeconds(i * 60L).toString())
          .put("revenue", 10.0 + i).put("payout", 0.0).put("buyer_converted", true).put("offer_converted", true)
          .put("ringba_call_uuid", "RGBREP" + i));
      ringba.add(new JsonObject().put("inboundCallId", "RGBREP" + i).put("callDt", t0.plusSeconds(i * 60L).toEpochMilli())
          .put("payoutAmount", 10.0 + i).put("conversionAmount", 0.0).put("hasConverted", false)
          .put("trackdrive_call_uuid", "TD-REP-" + i));
    }
    td.add(new JsonObject().put("subdomain", "acme").put("uuid", "TD-OTHER").put("created_at", t0.toString()));
    Http.Response seeded = Http.post(sim.baseUrl() + "/_sim/reporting", "application/json",
        new JsonObject().put("trackdrive", td).put("ringba", ringba).encode(), Map.of());
    assertThat(seeded.json().getInteger("seeded")).isEqualTo(115);
  }

  @AfterAll
  static void stop() {
    sim.close().await();
    vertx.close().await();
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void trackDrivesCallsApiPagesByCursorWithinTheWindowForTheCompanyOfTheHost() {
    String window = "&created_at_from=" + enc("2026-12-01 10:10:00 +0000") + "&created_at_to=" + enc("2026-12-01 06:00:00 -0500");
    List<String> uuids = new ArrayList<>();
    long cursor = -1;
    int pages = 0;
    do {
      Http.Response r = Http.get(sim.baseUrl() + "/api/v1/calls?per_page=20&cursor=" + cursor + window
          + "&columns=uuid,revenue,ringba_call_uuid", TD_AUTH);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      for (Object c : r.json().getJsonArray("calls")) {
        JsonObject call = (JsonObject) c;
        assertThat(call.fieldNames()).containsExactlyInAnyOrder("uuid", "revenue", "ringba_call_uuid");
        uuids.add(call.getString("uuid"));
      }
      cursor = r.json().getJsonObject("metadata").getLong("next_cursor");
      pages++;
    } while (cursor != 0);
    // 10:10 to 11:00 UTC (06:00 -0500): calls 10..56 (minute 60 is past the end).
    assertThat(uuids).hasSize(47).first().isEqualTo("TD-REP-10");
    assertThat(uuids).last().isEqualTo("TD-REP-56").isNotIn("TD-OTHER");
    assertThat(pages).isEqualTo(3);
    assertThat(Http.get(sim.baseUrl() + "/api/v1/calls", Map.of()).status()).isEqualTo(401);
    assertThat(Http.get(sim.baseUrl() + "/api/v1/calls?per_page=5000", TD_AUTH).status()).isEqualTo(422);
  }

  @Test
  void ringbasCallLogPagesBySizeAndOffsetAndNamesTheTrackDriveCallInATag() {
    String body = "{\"reportStart\":\"2026-12-01T10:30:00Z\",\"reportEnd\":\"2026-12-02T00:00:00Z\",\"offset\":%d,\"size\":10}";
    List<JsonObject> records = new ArrayList<>();
    int total;
    int offset = 0;
    do {
      Http.Response r = Http.post(sim.baseUrl() + "/v2/demo-account/calllogs", "application/json", body.formatted(offset),
          RINGBA_AUTH);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().getBoolean("isSuccessful")).isTrue();
      JsonObject report = r.json().getJsonObject("report");
      total = report.getInteger("totalCount");
      report.getJsonArray("records").forEach(o -> records.add((JsonObject) o));
      offset += 10;
    } while (offset < total);
    assertThat(total).isEqualTo(27);
    assertThat(records).hasSize(27);
    assertThat(records.get(0).getString("inboundCallId")).isEqualTo("RGBREP30");
    assertThat(records.get(0).getString("tag:User:trackdrive_call_uuid")).isEqualTo("TD-REP-30");
    assertThat(records.get(0).getDouble("payoutAmount")).isEqualTo(40.0);
    assertThat(Http.post(sim.baseUrl() + "/v2/demo-account/calllogs", "application/json", body.formatted(0),
        Map.of("Authorization", "Token wrong")).status()).isEqualTo(401);
    assertThat(Http.post(sim.baseUrl() + "/v2/demo-account/calllogs", "application/json",
        "{\"reportStart\":\"2026-12-01T10:30:00Z\",\"reportEnd\":\"2026-12-02T00:00:00Z\",\"size\":1001}", RINGBA_AUTH)
        .status()).isEqualTo(400);
    assertThat(Http.post(sim.baseUrl() + "/v2/nobody/calllogs", "application/json", body.formatted(0), RINGBA_AUTH)
        .status()).isEqualTo(404);
  }

  @Test
  void aConversionRingbaTookIsInItsCallLogAndAnUpdateTrackDriveTookIsInItsCalls() {
    Http.get(sim.baseUrl() + "/hook/demo-conversion-hook?call_id=RGBLIVE1&call_revenue=42.50&sale_successful=true", Map.of());
    Http.post(sim.baseUrl() + "/api/v1/calls/update_call/TD-LIVE-1", "application/json",
        "{\"revenue\":12.5,\"buyer_converted\":\"true\",\"offer_converted\":\"true\"}", TD_AUTH);
    Instant now = Instant.now();
    JsonArray log = Http.post(sim.baseUrl() + "/v2/demo-account/calllogs", "application/json",
        new JsonObject().put("reportStart", now.minusSeconds(600).toString()).put("reportEnd", now.plusSeconds(60).toString())
            .encode(), RINGBA_AUTH).json().getJsonObject("report").getJsonArray("records");
    JsonObject live = log.stream().map(JsonObject.class::cast).filter(r -> r.getString("inboundCallId").equals("RGBLIVE1"))
        .findFirst().orElseThrow();
    assertThat(live.getBoolean("hasConverted")).isTrue();
    assertThat(live.getDouble("conversionAmount")).isEqualTo(42.5);
    JsonArray calls = Http.get(sim.baseUrl() + "/api/v1/calls?per_page=100&created_at_from="
        + enc(ReportingEndpoints.tdTime(now.minusSeconds(600))), TD_AUTH).json().getJsonArray("calls");
    JsonObject call = calls.stream().map(JsonObject.class::cast).filter(c -> c.getString("uuid").equals("TD-LIVE-1"))
        .findFirst().orElseThrow();
    assertThat(call.getValue("revenue").toString()).isIn("12.5", "12.50");
    assertThat(call.getString("created_at")).isNotBlank();
  }

  @Test
  void theReportingApisHaveFaultsLikeAnyEndpointARateLimitAmongThem() {
    Vertx v = Vertx.vertx();
    Simulator limited = Simulator.start(v, SimConfig.parse("""
        ringba:
          accounts:
            acct: { apiToken: t, faults: { retryAfter: 2s, script: [http429] } }
        trackdrive:
          companies:
            demo: { publicKey: demo-public, privateKey: demo-private, faults: { script: [http500] } }
        """, "limited"), 1, 0).await();
    try {
      String body = "{\"reportStart\":\"2026-12-01T00:00:00Z\",\"reportEnd\":\"2026-12-02T00:00:00Z\"}";
      Http.Response first = Http.post(limited.baseUrl() + "/v2/acct/calllogs", "application/json", body,
          Map.of("Authorization", "Token t"));
      assertThat(first.status()).isEqualTo(429);
      assertThat(first.header("Retry-After")).isEqualTo("2");
      assertThat(Http.post(limited.baseUrl() + "/v2/acct/calllogs", "application/json", body,
          Map.of("Authorization", "Token t")).status()).isEqualTo(200);
      assertThat(Http.get(limited.baseUrl() + "/api/v1/calls", TD_AUTH).status()).isEqualTo(500);
      assertThat(Http.get(limited.baseUrl() + "/api/v1/calls", TD_AUTH).status()).isEqualTo(200);
    } finally {
      limited.close().await();
      v.close().await();
    }
  }
}
