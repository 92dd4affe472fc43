package io.callbridge.flow.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.config.PostgresConfig;
import io.callbridge.correlation.CallRecord;
import io.callbridge.correlation.IdKind;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Enrich against the Ringba simulator: the IDE request as Ringba expects it, async, the deadline,
 * the call's record and links through real correlation. The decisions are unit-tested in
 * {@link EnrichDecisionsTest}.
 */
class EnrichFlowTest {
  static final String SIM = """
      ringba:
        enrich:
          "*": { latency: { fixed: 5ms } }
          slow-pn: { latency: { fixed: 5s } }
          broken-pn: { faults: { http500: 1.0 } }
      """;
  static final String GATEWAY = """
      server: { accessLog: false, adminToken: admin-secret }
      destinations:
        ide: { baseUrl: "http://127.0.0.1:${SIM_PORT}", simulator: true }
      routes:
        - name: sync
          kind: enrich
          auth: { token: t }
          required: [caller_id, call_uuid]
          targets:
            - { name: ringba-a, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: ringba-b, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-b }, required: false }
        - name: async
          kind: enrich
          mode: async
          auth: { token: t }
          targets:
            - { name: ringba-a, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-async } }
        - name: strict
          kind: enrich
          accept: required_targets
          auth: { token: t }
          targets:
            - { name: good, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: broken, destination: ide, template: ringba-enrich, vars: { publisher_number_id: broken-pn } }
        - name: slow
          kind: enrich
          deadline: 800ms
          auth: { token: t }
          targets:
            - { name: fast, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: slow, destination: ide, template: ringba-enrich, vars: { publisher_number_id: slow-pn } }
      """;

  static PostgresConfig db;
  static Vertx simVertx;
  static Simulator sim;
  static Gateway gateway;
  static String base;

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(EnrichFlowTest.class);
    simVertx = Vertx.vertx();
    sim = Simulator.start(simVertx, SimConfig.parse(SIM, "sim"), 1, 0).await();
    gateway = Gateway.start(TestConfigs.forTest(GATEWAY, db, Map.of("SIM_PORT", String.valueOf(sim.port())))).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    simVertx.close().await();
    TestDb.drop(db);
  }

  @BeforeEach
  void clear() {
    sim.clearRequests();
  }

  static Http.Response enrich(String route, Map<String, Object> fields) {
    return Http.post(base + "/v1/enrich/" + route, "application/json", new JsonObject(fields).encode(),
        Map.of("X-CallBridge-Token", "t"));
  }

  static Map<String, Object> call(String uuid) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("caller_id", "(555) 777-9999");
    f.put("call_uuid", uuid);
    f.put("subdomain", "acme");
    f.put("zip", "90210");
    f.put("state", "new york");
    return f;
  }

  static Map<String, String> query(JsonObject recorded) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : recorded.getString("query").split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void theIdeRequestIsExactlyWhatRingbaExpects() {
    String uuid = "CA" + UUID.randomUUID();
    Http.Response r = enrich("sync", call(uuid));
    assertThat(r.status()).isEqualTo(200);
    List<JsonObject> seen = sim.requests("/enrich/pn-a");
    assertThat(seen).hasSize(1);
    JsonObject req = seen.get(0);
    assertThat(req.getString("method")).isEqualTo("GET");
    assertThat(req.getString("path")).isEqualTo("/enrich/pn-a");
    assertThat(query(req)).containsExactly(
        Map.entry("callerid", "+15557779999"),
        Map.entry("trackdrive_call_uuid", uuid),
        Map.entry("trackdrive_subdomain", "acme"),
        Map.entry("zip", "90210"),
        Map.entry("state", "NEW YORK"));
    assertThat(req.getString("query")).contains("callerid=%2B15557779999").doesNotContain(" ");
    assertThat(req.getInteger("status")).isEqualTo(200);
  }

  @Test
  void optionalFieldsThatAreAbsentAreLeftOut() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("caller_id", "15557779999");
    f.put("call_uuid", "CA-min-" + UUID.randomUUID());
    assertThat(enrich("sync", f).status()).isEqualTo(200);
    assertThat(query(sim.requests("/enrich/pn-a").get(0)).keySet()).containsExactly("callerid", "trackdrive_call_uuid");
  }

  @Test
  void asyncAnswers202AtOnceAndStillFansOut() {
    String uuid = "CA" + UUID.randomUUID();
    Http.Response r = enrich("async", call(uuid));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().getBoolean("accept")).isTrue();
    Eventually.until("the async fan-out reached Ringba", () -> !sim.requests("/enrich/pn-async").isEmpty());
    assertThat(sim.requests("/enrich/pn-async")).hasSize(1);
  }

  @Test
  void aSlowTargetIsATimeoutAndTheAnswerComesAtTheDeadline() {
    Http.Response r = enrich("slow", call("CA" + UUID.randomUUID()));
    assertThat(r.status()).isEqualTo(200);
    JsonArray targets = r.json().getJsonArray("targets");
    assertThat(targets.getJsonObject(0).getString("outcome")).as(r.body()).isEqualTo("ok");
    assertThat(targets.getJsonObject(1).getString("outcome")).isEqualTo("timeout");
    assertThat(targets.getJsonObject(1).getLong("latency_ms")).as("cut at the 800 ms deadline, not the 5 s target")
        .isLessThan(800);
  }

  @Test
  void theCallUuidAndSubdomainAreLinkedToTheCallerId() {
    String uuid = "CA" + UUID.randomUUID();
    enrich("sync", call(uuid));
    CallRecord record = gateway.services().correlation().find(IdKind.CALL_UUID, uuid).await().orElseThrow();
    assertThat(record.callerId()).contains("+15557779999");
    assertThat(record.subdomain()).contains("acme");
  }

  @Test
  void asyncOutcomesGoToTheCallsRecord() {
    String uuid = "CA" + UUID.randomUUID();
    assertThat(enrich("async", call(uuid)).status()).isEqualTo(202);
    JsonObject record = callRecordWithEnrichments(uuid);
    JsonObject enrichment = record.getJsonArray("enrichments").getJsonObject(0);
    assertThat(enrichment.getString("route")).isEqualTo("async");
    assertThat(enrichment.getString("mode")).isEqualTo("async");
    assertThat(enrichment.getString("subdomain")).isEqualTo("acme");
    JsonObject target = enrichment.getJsonArray("targets").getJsonObject(0);
    assertThat(target.getString("name")).isEqualTo("ringba-a");
    assertThat(target.getString("outcome")).isEqualTo("ok");
    assertThat(target.getInteger("status")).isEqualTo(200);
    assertThat(record.getJsonObject("ids").getJsonObject("caller_id").getString("value")).isEqualTo("+15557779999");
  }

  @Test
  void syncOutcomesAreRecordedToo() {
    String uuid = "CA" + UUID.randomUUID();
    enrich("strict", call(uuid));
    JsonObject record = callRecordWithEnrichments(uuid);
    JsonObject enrichment = record.getJsonArray("enrichments").getJsonObject(0);
    assertThat(enrichment.getBoolean("accept")).isFalse();
    assertThat(enrichment.getJsonArray("targets").getJsonObject(1).getString("outcome")).isEqualTo("http_error");
  }

  /** The call as the admin API shows it, once its enrich outcomes (written behind the answer) are there. */
  static JsonObject callRecordWithEnrichments(String uuid) {
    String admin = "http://127.0.0.1:" + gateway.adminPort() + "/admin/calls/" + uuid;
    return Eventually.value("the call's record shows the enrichment", () -> {
      Http.Response r = Http.get(admin, Map.of("Authorization", "Bearer admin-secret"));
      return Optional.of(r).filter(x -> x.status() == 200 && x.json().containsKey("enrichments")).map(Http.Response::json);
    });
  }

  @Test
  void badInputIsA4xxNamingTheField() {
    Map<String, Object> noUuid = call("x");
    noUuid.remove("call_uuid");
    Http.Response missing = enrich("sync", noUuid);
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().getString("field")).isEqualTo("call_uuid");

    Map<String, Object> badCaller = call("CA" + UUID.randomUUID());
    badCaller.put("caller_id", "not-a-number");
    Http.Response invalid = enrich("sync", badCaller);
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.json().getString("field")).isEqualTo("caller_id");

    assertThat(Http.post(base + "/v1/enrich/sync", "application/json", "{}", Map.of()).status()).isEqualTo(401);
    assertThat(sim.requests("/enrich/")).isEmpty();
  }
}
