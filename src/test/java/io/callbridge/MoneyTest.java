package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.demo.Money;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.SimulatedGateway;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Money, not shapes: a scripted set of calls through every flow against both simulated platforms
 * and the shipped templates, then what each simulated platform booked (revenue, payout, converted
 * flags, conversions) compared to the cent with what the other platform reported.
 */
class MoneyTest {
  static final String SIM = """
      ringba:
        enrich: { "*": {} }
        rtb:
          buyer: { bidAmount: { fixed: 23.45 }, expireInSeconds: 60, phoneNumbers: ["+17733408913"] }
        webhooks:
          hook: { knownCallIds: "RGB[0-9A-Za-z]+", callIdParam: call_id, revenueParam: call_revenue,
                  convertParam: sale_successful }
      trackdrive:
        defaultSubdomain: nobody        # a request without its company's Host lands nowhere real
        companies:
          nobody: { publicKey: x, privateKey: y, knownCallIds: "^$" }
          acme: { publicKey: pub, privateKey: priv, knownCallIds: any,
                  postingInstructions: [ { leadToken: lead-token, trafficSourceId: "1001" } ] }
          globex: { publicKey: pub, privateKey: priv, knownCallIds: any }
          refuser: { publicKey: pub, privateKey: priv, knownCallIds: any, faults: { script: [error200] } }
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
          platform: trackdrive
          callHost: "{subdomain}.trackdrive.com"
          subdomains: [acme, globex, refuser]
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
          tags: [first_name]
          targets: [ { name: buyer, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: buyer } } ]
        - name: ringba-lead
          kind: lead
          auth: { token: ringba }
          postingInstructions:
            leadToken: lead-token
            trafficSourceId: "1001"
            endpointUrl: "http://acme.trackdrive.com:${SIM}/api/v1/leads"   # the simulator answers as acme
          targets: [ { destination: trackdrive, template: trackdrive-lead } ]
        - name: ringba-payout
          kind: postback
          auth: { token: ringba }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          retrySchedule: [0s, 200ms]
          targets: [ { destination: trackdrive, template: trackdrive-update-call } ]
        - name: td-conversion
          kind: postback
          auth: { token: td }
          required: [ringba_call_uuid]
          callIdField: ringba_call_uuid
          eventKind: conversion
          oncePerCall: true
          retrySchedule: [0s, 200ms]
          targets: [ { destination: ringba-webhook, template: ringba-conversion-webhook, vars: { webhook_id: hook } } ]
      """;
  static final Map<String, String> TD = Map.of("X-CallBridge-Token", "td");
  static final Map<String, String> RINGBA = Map.of("X-CallBridge-Token", "ringba");
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin");

  static SimulatedGateway env;
  static Simulator sim;
  static String base;
  static String admin;

  @BeforeAll
  static void start() {
    env = SimulatedGateway.start(MoneyTest.class, SIM, 3, GATEWAY);
    sim = env.sim;
    base = env.base;
    admin = env.admin;
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  static String ringbaId() {
    return "RGB" + id().replace("-", "").substring(0, 20);
  }

  static String caller() {
    return String.format("+1555%d%06d", 2 + (int) (Math.random() * 8), (int) (Math.random() * 1_000_000));
  }

  /** A Ringba Payout pixel, its tokens filled as Ringba fills them. */
  static Http.Response payoutPixel(String uuid, String subdomain, String payout) {
    return Http.get(base + "/v1/postbacks/ringba-payout?trackdrive_call_uuid=" + uuid + "&trackdrive_subdomain="
        + subdomain + "&payout=" + payout + "&revenue=99.99&inbound_call_id=[Call:InboundCallId]", RINGBA);
  }

  /** TrackDrive's traffic-source conversion webhook for a Ringba call. */
  static Http.Response conversionWebhook(String ringbaId, String payout) {
    return Http.get(base + "/v1/postbacks/td-conversion?ringba_call_uuid=" + ringbaId + "&payout=" + payout
        + "&revenue=77.00", TD);
  }

  static JsonObject row(long id) {
    return Http.get(admin + "/admin/postbacks/" + id, ADMIN).json();
  }

  static JsonObject eventually(Supplier<JsonObject> get, java.util.function.Predicate<JsonObject> done, String what) {
    return Eventually.value(what, () -> java.util.Optional.ofNullable(get.get()).filter(done));
  }

  static JsonObject delivered(Http.Response r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 202);
    long id = r.json().getLong("id");
    return eventually(() -> row(id), row -> "delivered".equals(row.getString("status")), "postback " + id + " delivered");
  }

  @Test
  void everyFlowsMoneyIsBookedToTheCentOnTheOtherPlatform() {
    Money money = new Money();

    // 1. Enrich before dial (acme's call): Ringba's IDE keeps trackdrive_call_uuid/subdomain as tags;
    //    its Payout pixel later reports them back. Then a correction: the latest amount wins.
    String enriched = "TD-" + id();
    Http.Response enrich = Http.post(base + "/v1/enrich/td-enrich", "application/json", new JsonObject()
        .put("caller_id", caller()).put("call_uuid", enriched).put("subdomain", "acme").encode(), TD);
    assertThat(enrich.status()).as(enrich.body()).isEqualTo(200);
    JsonObject ide = sim.requests("/enrich/PN1").stream().filter(e -> e.getString("query").contains(enriched))
        .findFirst().orElseThrow();
    assertThat(ide.getString("query")).contains("trackdrive_subdomain=acme");
    delivered(payoutPixel(enriched, "acme", "10.00"));
    Http.Response corrected = payoutPixel(enriched, "acme", "12.75");
    assertThat(corrected.json().getBoolean("correction")).as(corrected.body()).isTrue();
    delivered(corrected);
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, enriched, "acme", "12.75", true);

    // 2. Ping (globex's call): the bid request carries the TrackDrive call as tags, which is all a
    //    Ringba Payout pixel for a ping-routed call has to report back with.
    String pinged = "TD-" + id();
    Http.Response ping = Http.post(base + "/v1/ping/td-ping", "application/json", new JsonObject()
        .put("caller_id", caller()).put("call_uuid", pinged).put("subdomain", "globex").put("first_name", "Ann")
        .encode(), TD);
    assertThat(ping.json().getBoolean("accepted")).as(ping.body()).isTrue();
    JsonObject tags = new JsonObject(sim.requests("/v1/production/buyer").stream()
        .filter(e -> e.getString("body").contains(pinged)).findFirst().orElseThrow().getString("body"));
    assertThat(tags.getString("first_name")).isEqualTo("Ann");
    delivered(payoutPixel(tags.getString("trackdrive_call_uuid"), tags.getString("trackdrive_subdomain"), "23.45"));
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, pinged, "globex", "23.45", true);

    // 3. A $0 payout: TrackDrive is updated, not converted.
    String zero = "TD-" + id();
    delivered(payoutPixel(zero, "acme", "0"));
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, zero, "acme", "0", false);

    // 4. Lead (a Ringba call posted to TrackDrive), then TrackDrive's conversion for it: TrackDrive's
    //    payout to its traffic source is Ringba's revenue.
    String leadCall = ringbaId();
    Http.Response lead = Http.get(base + "/v1/leads/ringba-lead?caller_id=" + caller().substring(1)
        + "&inbound_call_id=" + leadCall, RINGBA);
    assertThat(lead.status()).as(lead.body()).isEqualTo(202);
    eventually(() -> sim.state().getJsonObject("trackdrive").getJsonObject("leads"),
        leads -> leads.encode().contains(leadCall), "the lead reached TrackDrive");
    delivered(conversionWebhook(leadCall, "18.40"));
    money.reported(Money.Pattern.TRACKDRIVE_TO_RINGBA, leadCall, "", "18.40", true);

    // 5. A $0 event first, the real conversion later: the call's one conversion was kept for it.
    String late = ringbaId();
    assertThat(conversionWebhook(late, "0.00").json().getString("status")).isEqualTo("skipped");
    delivered(conversionWebhook(late, "25"));
    money.reported(Money.Pattern.TRACKDRIVE_TO_RINGBA, late, "", "25", true);

    // 6. Only a $0 event: Ringba's call stays unconverted.
    String never = ringbaId();
    assertThat(conversionWebhook(never, "0").status()).isEqualTo(202);
    money.reported(Money.Pattern.TRACKDRIVE_TO_RINGBA, never, "", "0", false);

    List<Money.Row> rows = Money.compare(money.reports(), sim.state());
    assertThat(rows).hasSize(6);
    assertThat(rows).allSatisfy(r -> assertThat(r.problem()).as(r.reported().call() + ": " + r.booked()).isEmpty());
    JsonObject calls = sim.state().getJsonObject("trackdrive").getJsonObject("calls");
    assertThat(calls.getJsonObject("acme/" + enriched).containsKey("payout"))
        .as("TrackDrive's payout to its own traffic source is never touched").isFalse();
    assertThat(calls.containsKey("globex/" + enriched)).as("nothing on another company").isFalse();
    assertThat(sim.state().getJsonObject("ringba").getJsonObject("conversions").getJsonObject(late)
        .getJsonObject("params").containsKey("sale_successful")).isTrue();
  }

  @Test
  void aSubdomainTheDestinationDoesNotListIsRefusedAndNothingIsSent() {
    String uuid = "TD-" + id();
    long before = sim.lastSeq();
    Http.Response r = payoutPixel(uuid, "evil.example.com%23", "5");
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().getString("field")).isEqualTo("trackdrive_subdomain");
    assertThat(r.json().getString("error")).contains("acme", "globex");
    Http.Response other = payoutPixel(uuid, "initech", "5");
    assertThat(other.status()).as(other.body()).isEqualTo(422);
    assertThat(sim.requests("/api/v1/calls", before)).isEmpty();
  }

  @Test
  void aTrackDrive200ThatSaysErrorIsNotDelivered() {
    Http.Response r = payoutPixel("TD-" + id(), "refuser", "5");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    long id = r.json().getLong("id");
    JsonObject row = eventually(() -> row(id), x -> "dead".equals(x.getString("status")), "refused in a 200");
    assertThat(row.getString("lastError")).contains("HTTP 200 but the answer refused it", "TrackDrive said",
        "The call could not be updated");
    assertThat(row.getJsonArray("attemptLog").getJsonObject(0).getString("kind")).isEqualTo("refused_in_body");
    assertThat(row.getString("action")).contains("/replay");
  }
}
