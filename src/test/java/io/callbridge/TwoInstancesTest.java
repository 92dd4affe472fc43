package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.SimulatedGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateways of one deployment on one PostgreSQL, each with its own caches, as behind a load
 * balancer: a postback that arrives on the other instance than its call finds the call, at once;
 * and a caller id that names two calls (one seen on each instance) is never credited to either.
 */
class TwoInstancesTest {
  static final String SIM = """
      ringba:
        enrich: { "*": {} }
        rtb:
          buyer: { bidAmount: { fixed: 12.00 }, expireInSeconds: 60, phoneNumbers: ["+17733408913"] }
        webhooks:
          hook: { knownCallIds: "RGB[0-9A-Za-z-]+", callIdParam: call_id, revenueParam: call_revenue,
                  convertParam: sale_successful }
      trackdrive:
        defaultSubdomain: acme
        companies:
          acme: { publicKey: pub, privateKey: priv, knownCallIds: any,
                  postingInstructions: [ { leadToken: lead-token, trafficSourceId: "1001" } ] }
      """;
  static final String GATEWAY = """
      server: { accessLog: false, adminToken: admin }
      destinations:
        ringba-ide: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true }
        ringba-rtb: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true }
        ringba-webhook: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true, requestTimeout: 2s }
        trackdrive:
          baseUrl: "http://127.0.0.1:${SIM}"
          simulator: true
          requestTimeout: 2s
          headers: { Authorization: "Basic cHViOnByaXY=" }
      routes:
        - name: td-enrich
          kind: enrich
          auth: { token: td }
          required: [caller_id, call_uuid, subdomain]
          targets: [ { name: ide, destination: ringba-ide, template: ringba-enrich, vars: { publisher_number_id: PN1 } } ]
        - name: td-ping
          kind: ping
          auth: { token: td }
          shield: false
          targets: [ { name: buyer, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: buyer } } ]
        - name: td-ping-shielded
          kind: ping
          auth: { token: td }
          targets: [ { name: buyer, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: buyer } } ]
        - name: ringba-lead
          kind: lead
          auth: { token: ringba }
          postingInstructions:
            leadToken: lead-token
            trafficSourceId: "1001"
            endpointUrl: "http://127.0.0.1:${SIM}/api/v1/leads"
          targets: [ { destination: trackdrive, template: trackdrive-lead } ]
        - name: ringba-payout
          kind: postback
          auth: { token: ringba }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          matchBy: [bidId, caller_id]
          retrySchedule: [0s, 200ms]
          targets: [ { destination: trackdrive, template: trackdrive-update-call } ]
        - name: td-conversion
          kind: postback
          auth: { token: td }
          callIdField: ringba_call_uuid
          eventKind: conversion
          oncePerCall: true
          matchBy: [caller_id]
          retrySchedule: [0s, 200ms]
          targets: [ { destination: ringba-webhook, template: ringba-conversion-webhook, vars: { webhook_id: hook } } ]
      """;
  static final Map<String, String> TD = Map.of("X-CallBridge-Token", "td");
  static final Map<String, String> RINGBA = Map.of("X-CallBridge-Token", "ringba");
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin");
  static final AtomicInteger CALLER = new AtomicInteger(3_010_000);

  static SimulatedGateway env;
  static String a;
  static String b;
  static String adminA;
  static String adminB;

  @BeforeAll
  static void start() {
    env = SimulatedGateway.start(TwoInstancesTest.class, SIM, 5, GATEWAY);
    Gateway other = env.another();
    a = env.base;
    adminA = env.admin;
    b = "http://127.0.0.1:" + other.publicPort();
    adminB = "http://127.0.0.1:" + other.adminPort();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  static String caller() {
    return "+1555" + CALLER.incrementAndGet();
  }

  static String ping(String base, String callUuid, String callerId) {
    return ping(base, "td-ping", callUuid, callerId);
  }

  static String ping(String base, String route, String callUuid, String callerId) {
    Http.Response r = Http.post(base + "/v1/ping/" + route, "application/json", new JsonObject()
        .put("caller_id", callerId).put("call_uuid", callUuid).put("subdomain", "acme").encode(), TD);
    assertThat(r.json().getBoolean("accepted")).as(r.body()).isTrue();
    return r.json().getString("bid_id");
  }

  static void lead(String base, String ringbaId, String callerId) {
    Http.Response r = Http.get(base + "/v1/leads/ringba-lead?caller_id=" + callerId.substring(1)
        + "&inbound_call_id=" + ringbaId, RINGBA);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
  }

  static JsonObject stored(Http.Response r, String status) {
    assertThat(r.status()).as(r.body()).isIn(200, 202);
    long id = r.json().getLong("id");
    return Eventually.value("postback " + id + " " + status, () -> Optional.of(
        Http.get(adminA + "/admin/postbacks/" + id, ADMIN).json()).filter(j -> status.equals(j.getString("status"))));
  }

  @Test
  void aPayoutOnTheOtherInstanceFindsThePingsCallByItsBidAtOnce() {
    String callUuid = "TD-2I-" + CALLER.get();
    String bidId = ping(a, callUuid, caller());
    Http.Response payout = Http.get(b + "/v1/postbacks/ringba-payout?bidId=" + bidId + "&payout=12.00", RINGBA);
    JsonObject row = stored(payout, "delivered");
    assertThat(row.getJsonObject("request").getString("uri")).endsWith("/update_call/" + callUuid);
  }

  @Test
  void aPayoutOnTheOtherInstanceFindsTheEnrichedCallByCallerIdAtOnce() {
    String callerId = caller();
    String callUuid = "TD-E-" + CALLER.get();
    Http.Response enrich = Http.post(a + "/v1/enrich/td-enrich", "application/json", new JsonObject()
        .put("caller_id", callerId).put("call_uuid", callUuid).put("subdomain", "acme").encode(), TD);
    assertThat(enrich.status()).as(enrich.body()).isEqualTo(200);
    Http.Response payout = Http.get(b + "/v1/postbacks/ringba-payout?caller_id=" + callerId + "&payout=8.50", RINGBA);
    JsonObject row = stored(payout, "delivered");
    assertThat(row.getJsonObject("request").getString("uri")).endsWith("/update_call/" + callUuid);
  }

  @Test
  void copiesOfOnePostbackSplitAcrossBothInstancesAreOneRowDeliveredOnce() throws Exception {
    String callerId = caller();
    String ringbaId = "RGB-DUP-" + CALLER.get();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.List<java.util.concurrent.Future<Http.Response>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String base = i % 2 == 0 ? a : b;
        sent.add(pool.submit(() -> Http.get(base + "/v1/postbacks/td-conversion?ringba_call_uuid=" + ringbaId
            + "&payout=40", TD)));
      }
      java.util.Set<Long> ids = new java.util.HashSet<>();
      int created = 0;
      for (java.util.concurrent.Future<Http.Response> f : sent) {
        Http.Response r = f.get();
        assertThat(r.status()).as(r.body()).isIn(200, 202);
        ids.add(r.json().getLong("id"));
        created += r.status() == 202 ? 1 : 0;
      }
      assertThat(ids).as("one row").hasSize(1);
      assertThat(created).as("one 202, the rest duplicates").isEqualTo(1);
      JsonObject row = Eventually.value("delivered", () -> Optional.of(Http.get(adminA + "/admin/postbacks/"
          + ids.iterator().next(), ADMIN).json()).filter(j -> "delivered".equals(j.getString("status"))));
      assertThat(row.getInteger("attempts")).isEqualTo(1);
      assertThat(env.sim.requests("/hook/")).filteredOn(q -> q.encode().contains(ringbaId)).hasSize(1);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aConversionOnTheOtherInstanceFindsTheLeadsCallByCallerIdAtOnce() {
    String callerId = caller();
    String ringbaId = "RGB-2I-" + CALLER.get();
    lead(a, ringbaId, callerId);
    Http.Response conversion = Http.get(b + "/v1/postbacks/td-conversion?caller_id=" + callerId + "&payout=20",
        TD);
    JsonObject row = stored(conversion, "delivered");
    assertThat(row.getJsonObject("request").getString("uri")).contains(ringbaId);
  }

  @Test
  void anUnmatchedConversionMatchesItselfOnceTheCallAppearsOnTheOtherInstance() {
    String callerId = caller();
    String ringbaId = "RGB-LATE-" + CALLER.get();
    Http.Response early = Http.get(b + "/v1/postbacks/td-conversion?caller_id=" + callerId + "&payout=30", TD);
    assertThat(early.json().getString("status")).as(early.body()).isEqualTo("unmatched");
    lead(a, ringbaId, callerId);
    JsonObject row = stored(early, "delivered"); // no replay: it looked the call up again by itself
    assertThat(row.getJsonObject("request").getString("uri")).contains(ringbaId);
    assertThat(row.getString("callId")).isEqualTo(ringbaId);
    assertThat(Http.get(adminA + "/metrics", Map.of()).body() + Http.get(adminB + "/metrics", Map.of()).body())
        .as("counted by whichever instance looked it up").contains("callbridge_outbox_rematched_total{result=\"found\"}");
  }

  @Test
  void aBidTheShieldGaveToASecondCallNamesBothCallsSoItsPayoutIsAmbiguous() {
    String callerId = caller();
    String u1 = "TD-S1-" + CALLER.get();
    String u2 = "TD-S2-" + CALLER.get();
    String bid = ping(a, "td-ping-shielded", u1, callerId);
    assertThat(ping(a, "td-ping-shielded", u2, callerId)).as("the shield's answer").isEqualTo(bid);
    JsonObject second = Eventually.value("the shield's call linked", () -> Optional.of(
        Http.get(adminA + "/admin/calls/" + u2, ADMIN)).filter(r -> r.status() == 200).map(Http.Response::json));
    assertThat(second.getJsonObject("ids").getJsonObject("call_uuid").getString("value")).isEqualTo(u2);
    JsonObject row = stored(Http.get(b + "/v1/postbacks/ringba-payout?bidId=" + bid + "&payout=12.00", RINGBA),
        "unmatched");
    assertThat(row.getString("lastError")).contains("ambiguous", u1, u2);
    assertThat(env.sim.requests("/api/v1/calls/update_call/")).noneMatch(q -> q.encode().contains(u1)
        || q.encode().contains(u2));
  }

  @Test
  void aLinkWrittenOnAnyInstanceWakesThePostbackWaitingForIt() {
    String callerId = caller();
    String ringbaId = "RGB-WAKE-" + CALLER.get();
    Http.Response early = Http.get(b + "/v1/postbacks/td-conversion?caller_id=" + callerId + "&payout=25", TD);
    long id = early.json().getLong("id");
    assertThat(early.json().getString("status")).isEqualTo("unmatched");
    assertThat(Http.get(adminA + "/admin/postbacks/" + id, ADMIN).json().getString("lastError"))
        .contains("caller_id:" + callerId);
    // As if it had waited long already: its next scheduled look-up is an hour away.
    io.callbridge.testing.TestDb.exec(env.db(), "UPDATE outbox SET next_attempt_at = now() + interval '1 hour' "
        + "WHERE id = " + id);
    lead(a, ringbaId, callerId);
    JsonObject row = stored(early, "delivered");
    assertThat(row.getJsonObject("request").getString("uri")).contains(ringbaId);
  }

  @Test
  void aCallerWithALeadOnEachInstanceIsAmbiguousNeverTheWrongCall() {
    String callerId = caller();
    String r1 = "RGB-L1-" + CALLER.get();
    String r2 = "RGB-L2-" + CALLER.get();
    lead(a, r1, callerId);
    lead(b, r2, callerId);
    JsonObject row = stored(Http.get(a + "/v1/postbacks/td-conversion?caller_id=" + callerId + "&payout=20", TD),
        "unmatched");
    assertThat(row.getString("lastError")).contains("ambiguous", r1, r2);
    assertThat(env.sim.requests("/hook/")).noneMatch(q -> q.encode().contains(r1) || q.encode().contains(r2));
  }

  @Test
  void aCallerWithAPingOnEachInstanceIsAmbiguousNeverTheWrongCall() {
    String callerId = caller();
    String u1 = "TD-U1-" + CALLER.get();
    String u2 = "TD-U2-" + CALLER.get();
    ping(a, u1, callerId);
    ping(b, u2, callerId);
    JsonObject row = stored(Http.get(a + "/v1/postbacks/ringba-payout?caller_id=" + callerId + "&payout=12.00",
        RINGBA), "unmatched");
    assertThat(row.getString("lastError")).contains("ambiguous", u1, u2);
    assertThat(env.sim.requests("/api/v1/calls/update_call/")).noneMatch(q -> q.encode().contains(u1)
        || q.encode().contains(u2));
  }
}
