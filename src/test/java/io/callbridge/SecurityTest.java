package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may call, how often, from where, against a real gateway: rotated route tokens, the admin
 * port's roles and its audit log, allowFrom with trusted proxies, rate limits.
 */
class SecurityTest {
  static final String YAML = """
      server:
        accessLog: false
        trustedProxies: [127.0.0.1/32]
        adminTokens:
          - { name: ops-viewer, token: viewer-token-0123456789abcdef, role: viewer }
          - { name: ops-operator, token: operator-token-0123456789abcd, role: operator }
      destinations:
        td: { baseUrl: "http://127.0.0.1:9", allowPrivate: true, requestTimeout: 1s }
        sim: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: rotated
          kind: postback
          auth:
            tokens:
              - { name: td-2026-11, token: old-token-0123456789abcdef }
              - { name: td-2026-12, token: new-token-0123456789abcdef }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: inside
          kind: ping
          auth: { token: inside-token-0123456789abcd }
          allowFrom: [10.0.0.0/8, "2001:db8::/32"]
          targets: [ { destination: sim, template: ringba-rtb-ping, vars: { rtb_id: r1 } } ]
        - name: limited
          kind: postback
          auth: { token: limited-token-0123456789ab }
          rateLimit: { rate: 1/m, burst: 2 }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: per-caller
          kind: postback
          auth: { token: caller-token-0123456789abc }
          rateLimit: { rate: 1000/s, burst: 1000, perCallerId: true }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          targets: [ { destination: td, template: trackdrive-update-call } ]
      """;

  static PostgresConfig db;
  static Gateway gateway;
  static String base;
  static String admin;

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(SecurityTest.class);
    // Delivery off: postbacks stay pending, so the admin API has rows to act on.
    gateway = Gateway.start(TestConfigs.forTest(YAML, db, Map.of("CALLBRIDGE_OUTBOX_DELIVERY", "off"))).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
    admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    TestDb.drop(db);
  }

  static Http.Response payout(String route, String token, String uuid) {
    return Http.get(base + "/v1/postbacks/" + route + "?token=" + token + "&trackdrive_call_uuid=" + uuid + "&payout=3",
        Map.of());
  }

  static double metric(String line) {
    String text = Http.get(admin + "/metrics").body();
    return text.lines().filter(l -> l.startsWith(line)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aRouteTakesBothTokensDuringARotationAndCountsEachByName() {
    assertThat(payout("rotated", "old-token-0123456789abcdef", "TD-ROT-1").status()).isEqualTo(202);
    assertThat(payout("rotated", "new-token-0123456789abcdef", "TD-ROT-2").status()).isEqualTo(202);
    assertThat(payout("rotated", "new-token-0123456789abcdef", "TD-ROT-3").status()).isEqualTo(202);
    Http.Response wrong = payout("rotated", "inside-token-0123456789abcd", "TD-ROT-4");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().getString("field")).isEqualTo("token");
    assertThat(metric("callbridge_auth_requests_total{route=\"rotated\",token=\"td-2026-11\"}")).isEqualTo(1);
    assertThat(metric("callbridge_auth_requests_total{route=\"rotated\",token=\"td-2026-12\"}")).isEqualTo(2);
    assertThat(metric("callbridge_auth_requests_total{route=\"rotated\",token=\"invalid\"}")).isEqualTo(1);
    assertThat(Http.get(admin + "/metrics").body()).doesNotContain("old-token-0123456789abcdef");
  }

  @Test
  void allowFromRefusesOtherNetworksAndBelievesForwardedForOnlyFromTrustedProxies() {
    Map<String, String> auth = Map.of("X-CallBridge-Token", "inside-token-0123456789abcd");
    String ping = "{\"caller_id\":\"+13125550100\",\"call_uuid\":\"TD-NET-1\",\"subdomain\":\"demo\"}";
    // 127.0.0.1 is a trusted proxy here: the caller is the address it forwards for.
    Http.Response outside = Http.post(base + "/v1/ping/inside", "application/json", ping,
        Map.of("X-CallBridge-Token", "inside-token-0123456789abcd", "X-Forwarded-For", "198.51.100.7"));
    assertThat(outside.status()).isEqualTo(403);
    assertThat(outside.json().getString("field")).isEqualTo("source");
    assertThat(outside.json().getString("error")).contains("198.51.100.7").contains("allowFrom");
    Http.Response inside = Http.post(base + "/v1/ping/inside", "application/json", ping,
        Map.of("X-CallBridge-Token", "inside-token-0123456789abcd", "X-Forwarded-For", "198.51.100.7, 10.1.2.3"));
    assertThat(inside.status()).as(inside.body()).isEqualTo(200);
    Http.Response v6 = Http.post(base + "/v1/ping/inside", "application/json", ping,
        Map.of("X-CallBridge-Token", "inside-token-0123456789abcd", "X-Forwarded-For", "2001:db8::17"));
    assertThat(v6.status()).isEqualTo(200);
    Http.Response proxyItself = Http.post(base + "/v1/ping/inside", "application/json", ping, auth);
    assertThat(proxyItself.status()).as("no header: the peer itself, 127.0.0.1, not in allowFrom").isEqualTo(403);
    Http.Response garbage = Http.post(base + "/v1/ping/inside", "application/json", ping,
        Map.of("X-CallBridge-Token", "inside-token-0123456789abcd", "X-Forwarded-For", "10.0.0.1, not-an-address"));
    assertThat(garbage.status()).as("an unreadable hop is not believed past").isEqualTo(403);
    assertThat(metric("callbridge_route_refused_total{reason=\"source\",route=\"inside\"}")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aRateLimitAnswers429WithRetryAfterAndEachCallerIdHasItsOwnBucket() {
    assertThat(payout("limited", "limited-token-0123456789ab", "TD-RL-1").status()).isEqualTo(202);
    assertThat(payout("limited", "limited-token-0123456789ab", "TD-RL-2").status()).isEqualTo(202);
    Http.Response third = payout("limited", "limited-token-0123456789ab", "TD-RL-3");
    assertThat(third.status()).isEqualTo(429);
    assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(third.json().getString("error")).contains("rate limit");
    assertThat(payout("limited", "wrong", "TD-RL-4").status()).as("a wrong token is refused before the bucket").isEqualTo(401);

    // Per caller id: 1000 in burst for the route, but one caller (in any format) gets the same bucket.
    String url = base + "/v1/postbacks/per-caller?token=caller-token-0123456789abc&payout=1&trackdrive_call_uuid=";
    int accepted = 0;
    for (int i = 0; i < 5; i++) {
      accepted += Http.get(url + "TD-PC-" + i + "&caller_id=" + (i % 2 == 0 ? "%2B13125550199" : "(312)%20555-0199"),
          Map.of()).status() == 202 ? 1 : 0;
    }
    assertThat(accepted).isEqualTo(5); // within the per-caller burst
    assertThat(metric("callbridge_route_refused_total{reason=\"rate_route\",route=\"limited\"}")).isEqualTo(1);
  }

  @Test
  void aViewerReadsAnOperatorChangesAndEveryChangeIsInTheAuditLog() {
    assertThat(payout("rotated", "new-token-0123456789abcdef", "TD-AUD-1").status()).isEqualTo(202);
    Map<String, String> viewer = Map.of("Authorization", "Bearer viewer-token-0123456789abcdef");
    Map<String, String> operator = Map.of("Authorization", "Bearer operator-token-0123456789abcd");
    JsonArray rows = Http.get(admin + "/admin/postbacks?route=rotated&limit=50", viewer).json().getJsonArray("postbacks");
    long id = rows.stream().map(JsonObject.class::cast).filter(r -> r.getString("callId").equals("TD-AUD-1"))
        .findFirst().orElseThrow().getLong("id");

    Http.Response refused = Http.send("POST", admin + "/admin/postbacks/" + id + "/cancel", null, null, viewer);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("error")).contains("ops-viewer").contains("operator");

    Http.Response notJson = Http.send("POST", admin + "/admin/postbacks/replay", "application/json", "[1,2", operator);
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().getString("field")).isEqualTo("body");
    Http.Response cancelled = Http.send("POST", admin + "/admin/postbacks/" + id + "/cancel", null, null, operator);
    assertThat(cancelled.status()).isEqualTo(200);
    Http.Response bulk = Http.send("POST", admin + "/admin/postbacks/replay", "application/json",
        "{\"status\":\"cancelled\",\"route\":\"rotated\",\"since\":\"1h\"}", operator);
    assertThat(bulk.status()).isEqualTo(200);
    assertThat(bulk.json().getInteger("replayed")).isEqualTo(1);

    Http.Response auditAnswer = Http.get(admin + "/admin/audit?since=1h", viewer);
    JsonArray audit = auditAnswer.json().getJsonArray("audit");
    assertThat(audit).as(auditAnswer.status() + " " + auditAnswer.body()).isNotNull();
    assertThat(audit).hasSize(2);
    JsonObject replay = audit.getJsonObject(0);
    JsonObject cancel = audit.getJsonObject(1);
    assertThat(cancel.getString("token")).isEqualTo("ops-operator");
    assertThat(cancel.getString("role")).isEqualTo("operator");
    assertThat(cancel.getString("action")).isEqualTo("cancel");
    assertThat(cancel.getString("target")).isEqualTo("postback " + id);
    assertThat(cancel.getInteger("rows")).isEqualTo(1);
    assertThat(cancel.getInteger("status")).isEqualTo(200);
    assertThat(cancel.getString("at")).endsWith("Z");
    assertThat(replay.getString("action")).isEqualTo("bulk_replay");
    assertThat(replay.getInteger("rows")).isEqualTo(1);
    assertThat(replay.getString("target")).contains("status=cancelled").contains("route=rotated");
    assertThat(replay.getJsonObject("detail")).as(audit.encode()).isNotNull();
    assertThat(replay.getJsonObject("detail").getJsonArray("ids").getLong(0)).isEqualTo(id);
    assertThat(audit.encode()).doesNotContain("operator-token-0123456789abcd");
    assertThat(Http.get(admin + "/admin/audit", Map.of("Authorization", "Bearer nope")).status()).isEqualTo(401);
    assertThat(metric("callbridge_admin_requests_total{role=\"operator\",token=\"ops-operator\"}")).isEqualTo(3); // the refused body, the cancel, the replay
    assertThat(metric("callbridge_admin_requests_total{role=\"viewer\",token=\"ops-viewer\"}")).isEqualTo(2); // the list, the audit
  }
}
