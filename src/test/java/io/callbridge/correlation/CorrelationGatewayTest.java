package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.CorrelationConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Correlation inside whole gateways: admin lookups, two instances on one database, restart, graceful stop. */
class CorrelationGatewayTest {
  static final String YAML = """
      server: { accessLog: false, adminToken: admin-secret }
      correlation: { flushInterval: 20ms }
      destinations:
        sim: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: td-ping
          kind: ping
          auth: { token: route-secret }
          targets: [ { destination: sim, template: ringba-rtb-ping, vars: { rtb_id: r1 } } ]
      """;
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-secret");

  static PostgresConfig db;
  static Gateway a;

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(CorrelationGatewayTest.class);
    a = start(TestConfigs.forTest(YAML, db));
  }

  static Gateway start(CallBridgeConfig config) {
    return Gateway.start(config, Clock.systemUTC(), (route, services) -> null).await();
  }

  @AfterAll
  static void stop() {
    a.stop().await();
    TestDb.drop(db);
  }

  static Correlation correlation(Gateway g) {
    return g.services().correlation();
  }

  static String admin(Gateway g) {
    return "http://127.0.0.1:" + g.adminPort() + "/admin/calls/";
  }

  @Test
  void adminFindsTheCallByEachIdKindAnd404sUnknownIds() {
    String uuid = CorrelationTest.id("td");
    String inbound = CorrelationTest.id("RGB");
    String bid = CorrelationTest.id("RTB");
    String ping = CorrelationTest.id("ping");
    String lead = CorrelationTest.id("lead");
    Instant expires = Instant.now().plusSeconds(39);
    correlation(a).link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid, 4.2, expires).pingId(ping)
        .callerId("+15551230001").build());
    correlation(a).link("ringba-lead", CallLink.builder().inboundCallId(inbound).leadId(lead).callUuid(uuid).build());
    for (boolean fromDb : new boolean[] {false, true}) {
      if (fromDb) {
        correlation(a).flush().await();
        correlation(a).clearCache();
      }
      for (String any : new String[] {uuid, inbound, bid, ping, lead, "%2B15551230001", "5551230001"}) {
        Http.Response r = Http.get(admin(a) + any, ADMIN);
        assertThat(r.status()).as(any).isEqualTo(200);
        JsonObject ids = r.json().getJsonObject("ids");
        assertThat(ids.getJsonObject("call_uuid").getString("value")).isEqualTo(uuid);
        assertThat(ids.getJsonObject("call_uuid").getString("subdomain")).isEqualTo("acme");
        assertThat(ids.getJsonObject("call_uuid").getString("route")).isEqualTo("td-ping");
        assertThat(ids.getJsonObject("inboundCallId").getString("value")).isEqualTo(inbound);
        assertThat(ids.getJsonObject("inboundCallId").getString("route")).isEqualTo("ringba-lead");
        assertThat(ids.getJsonObject("bidId").getDouble("bidAmount")).isEqualTo(4.2);
        assertThat(ids.getJsonObject("bidId").getString("expiresAt")).isEqualTo(Instant.ofEpochMilli(expires.toEpochMilli()).toString());
        assertThat(ids.getJsonObject("ping_id").getString("value")).isEqualTo(ping);
        assertThat(ids.getJsonObject("lead_id").getString("value")).isEqualTo(lead);
        assertThat(ids.getJsonObject("caller_id").getString("value")).isEqualTo("+15551230001");
        assertThat(ids.getJsonObject("caller_id").getString("seenAt")).isNotBlank();
        assertThat(r.json().getString("firstSeen")).isNotBlank();
      }
    }
    Http.Response unknown = Http.get(admin(a) + "RGBnope", ADMIN);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Content-Type")).startsWith("application/json");
    assertThat(unknown.json().getString("error")).contains("RGBnope");
    assertThat(Http.get(admin(a) + "5559999999", ADMIN).status()).isEqualTo(404);
    assertThat(Http.get(admin(a) + uuid).status()).isEqualTo(401);
  }

  @Test
  void aSecondInstanceOnTheSameDatabaseFindsLinksItNeverSaw() {
    Gateway b = start(TestConfigs.forTest(YAML, db));
    try {
      String uuid = CorrelationTest.id("td");
      String inbound = CorrelationTest.id("RGB");
      correlation(a).link("td-enrich", CallLink.builder().callUuid(uuid, "acme").callerId("+15551230002").build());
      correlation(a).flush().await();
      CallRecord seenByB = correlation(b).find(IdKind.CALL_UUID, uuid).await().orElseThrow();
      assertThat(seenByB.subdomain()).contains("acme");
      assertThat(correlation(b).find(IdKind.CALLER_ID, "+15551230002").await().orElseThrow().callUuid())
          .contains(uuid);

      // B learns the Ringba id of the call; A, which cached the call before, asks for that id.
      correlation(b).link("ringba-payout", CallLink.builder().inboundCallId(inbound).callUuid(uuid).build());
      correlation(b).flush().await();
      CallRecord seenByA = correlation(a).find(IdKind.CALL_UUID, uuid, IdKind.INBOUND_CALL_ID).await().orElseThrow();
      assertThat(seenByA.inboundCallId()).contains(inbound);
      assertThat(correlation(a).find(IdKind.INBOUND_CALL_ID, inbound).await().orElseThrow().subdomain())
          .contains("acme");
    } finally {
      b.stop().await();
    }
  }

  @Test
  void aGracefulStopFlushesTheQueueAndARestartFindsTheLinks() {
    CallBridgeConfig slow = TestConfigs.forTest(YAML, db);
    CorrelationConfig c = slow.correlation();
    slow = slow.withCorrelation(new CorrelationConfig(c.cacheMaxEntries(), c.cacheMaxAge(), c.callerIdWindow(), 10_000,
        Duration.ofHours(1), c.queueCapacity(), c.retention(), c.purgeInterval(), c.flushConcurrency(), c.purgeBatch()));
    Gateway first = start(slow);
    String uuid = CorrelationTest.id("td");
    String bid = CorrelationTest.id("RTB");
    correlation(first).link("td-ping", CallLink.builder().callUuid(uuid).bid(bid, 3.0, Instant.now()).build());
    assertThat(correlation(first).queueDepth()).isEqualTo(1);
    first.stop().await();

    Gateway restarted = start(slow);
    try {
      assertThat(correlation(restarted).find(IdKind.BID_ID, bid).await().orElseThrow().callUuid()).contains(uuid);
    } finally {
      restarted.stop().await();
    }
  }

  @Test
  void metricsAreExposed() {
    correlation(a).link("td-ping", CallLink.builder().callUuid(CorrelationTest.id("td")).build());
    correlation(a).flush().await();
    String metrics = Http.get("http://127.0.0.1:" + a.adminPort() + "/metrics").body();
    assertThat(metrics)
        .contains("callbridge_correlation_cache_entries ")
        .contains("callbridge_correlation_lookups_total{kind=\"call_uuid\",result=\"hit\"}")
        .contains("callbridge_correlation_queue_depth ")
        .contains("callbridge_correlation_batch_rows_count ")
        .contains("callbridge_correlation_flush_seconds_bucket{")
        .contains("callbridge_correlation_overflow_total ");
  }
}
