package io.callbridge.flow.lead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.Gateway;
import io.callbridge.config.ConfigException;
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
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leads against the TrackDrive simulator: posting instructions exactly, durability, once per call. */
class LeadFlowTest {
  static final String SIM = """
      trackdrive:
        defaultSubdomain: acme
        companies:
          acme:
            publicKey: p
            privateKey: k
            postingInstructions:
              - { leadToken: good-token, trafficSourceId: "1001" }
            knownCallIds: any
      """;
  static final String GATEWAY = """
      server: { accessLog: false, adminToken: admin-secret }
      destinations:
        td: { baseUrl: "http://127.0.0.1:${SIM_PORT}", simulator: true, requestTimeout: 2s }
        td-later: { baseUrl: "http://127.0.0.1:${LATER_PORT}", simulator: true, requestTimeout: 2s, connectTimeout: 200ms }
      routes:
        - name: lead
          kind: lead
          auth: { token: t }
          postingInstructions:
            leadToken: good-token
            trafficSourceId: "1001"
            endpointUrl: "http://127.0.0.1:${SIM_PORT}/api/v1/leads"
          retrySchedule: [0s, 1s, 1s]
          targets: [ { destination: td, template: trackdrive-lead } ]
        - name: lead-wrong-token
          kind: lead
          auth: { token: t }
          postingInstructions:
            leadToken: stale-token
            trafficSourceId: "1001"
            endpointUrl: "http://127.0.0.1:${SIM_PORT}/api/v1/leads"
          retrySchedule: [0s, 1s, 1s]
          targets: [ { destination: td, template: trackdrive-lead } ]
        - name: lead-later
          kind: lead
          auth: { token: t }
          postingInstructions:
            leadToken: good-token
            trafficSourceId: "1001"
            endpointUrl: "http://127.0.0.1:${LATER_PORT}/api/v1/leads"
          retrySchedule: [0s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]
          targets: [ { destination: td-later, template: trackdrive-lead } ]
        - name: lead-stale
          kind: lead
          auth: { token: t }
          postingInstructions:
            leadToken: good-token
            trafficSourceId: "1001"
            endpointUrl: "http://127.0.0.1:${LATER_PORT}/api/v1/leads"
          freshness: 1s
          retrySchedule: [0s, 1500ms, 1500ms]
          targets: [ { destination: td-later, template: trackdrive-lead } ]
      """;

  static PostgresConfig db;
  static Vertx simVertx;
  static Simulator sim;
  static int laterPort;
  static Gateway gateway;
  static String base;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    db = TestDb.freshSchema(LeadFlowTest.class);
    simVertx = Vertx.vertx();
    sim = Simulator.start(simVertx, SimConfig.parse(SIM, "sim"), 1, 0).await();
    try (ServerSocket s = new ServerSocket(0)) {
      laterPort = s.getLocalPort();
    }
    gateway = Gateway.start(TestConfigs.forTest(GATEWAY, db,
        Map.of("SIM_PORT", String.valueOf(sim.port()), "LATER_PORT", String.valueOf(laterPort)))).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
    admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    simVertx.close().await();
    TestDb.drop(db);
  }

  static Http.Response pixel(String route, String callerId, String inboundCallId) {
    return Http.get(base + "/v1/leads/" + route + "?token=t&caller_id=" + callerId + "&inbound_call_id=" + inboundCallId);
  }

  /** The pixel is accepted (202), and its lead ends dead: the row as it then stands. */
  static JsonObject acceptedThenDead(String route, String callerId, String call) {
    Http.Response r = pixel(route, callerId, call);
    assertThat(r.status()).isEqualTo(202);
    return awaitStatus(r.json().getLong("id"), "dead");
  }

  static JsonObject awaitStatus(long id, String status) {
    return eventually(() -> Optional.of(row(id)).filter(j -> status.equals(j.getString("status"))));
  }

  static JsonObject row(long id) {
    return Http.get(admin + "/admin/postbacks/" + id, Map.of("Authorization", "Bearer admin-secret")).json();
  }

  static <T> T eventually(Supplier<Optional<T>> probe) {
    return Eventually.value("the lead's expected state", probe);
  }

  /** The row is final, no next attempt, and TrackDrive got exactly its attempts (nothing left to send). */
  static void sentExactly(long id, Simulator s, String call, int times) {
    JsonObject row = row(id);
    assertThat(row.getString("status")).isIn("delivered", "dead");
    assertThat(row.getString("nextAttemptAt")).isNull();
    assertThat(row.getInteger("attempts")).isEqualTo(times);
    assertThat(leadsFor(s, call)).hasSize(times);
  }

  static List<JsonObject> leadsFor(Simulator s, String inboundCallId) {
    return s.requests("/api/v1/leads").stream().filter(r -> r.getString("body").contains(inboundCallId)).toList();
  }

  static String rgb() {
    return "RGB" + UUID.randomUUID().toString().replace("-", "").substring(0, 20).toUpperCase();
  }

  @Test
  void theLeadIsPostedWithThePostingInstructionsExactlyAndLinked() throws Exception {
    String call = rgb();
    Http.Response r = pixel("lead", "17735550123", call);
    assertThat(r.status()).isEqualTo(202);
    long id = r.json().getLong("id");
    // The recorder adds the request when it arrives and its status once answered.
    JsonObject sent = eventually(() -> leadsFor(sim, call).stream().filter(j -> j.containsKey("status")).findFirst());
    assertThat(sent.getString("method")).isEqualTo("POST");
    assertThat(sent.getString("path")).isEqualTo("/api/v1/leads");
    JsonObject body = new JsonObject(sent.getString("body"));
    assertThat(body.getString("lead_token")).isEqualTo("good-token");
    assertThat(body.getString("traffic_source_id")).isEqualTo("1001");
    assertThat(body.getString("caller_id")).isEqualTo("+17735550123");
    assertThat(body.getJsonObject("data").getString("ringba_call_uuid")).isEqualTo(call);
    assertThat(sent.getInteger("status")).isEqualTo(200);

    eventually(() -> Optional.of(row(id)).filter(j -> "delivered".equals(j.getString("status"))));
    CallRecord record = eventually(() -> gateway.services().correlation().find(IdKind.INBOUND_CALL_ID, call).await()
        .filter(c -> c.leadId().isPresent()));
    assertThat(record.callerId()).contains("+17735550123");
    assertThat(record.leadId()).isPresent();
  }

  @Test
  void aRepeatedPixelPostsOneLead() throws Exception {
    String call = rgb();
    Http.Response first = pixel("lead", "17735550124", call);
    Http.Response again = pixel("lead", "17735550124", call);
    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getLong("id")).isEqualTo(first.json().getLong("id"));
    assertThat(again.json().getBoolean("duplicate")).isTrue();
    eventually(() -> Optional.of(row(first.json().getLong("id"))).filter(j -> "delivered".equals(j.getString("status"))));
    sentExactly(first.json().getLong("id"), sim, call, 1);
  }

  @Test
  void aWrongLeadTokenIsDeadWithTrackDrivesReason() throws Exception {
    String call = rgb();
    JsonObject dead = acceptedThenDead("lead-wrong-token", "17735550125", call);
    assertThat(dead.encode()).contains("422").contains("lead_token").contains("is invalid");
    sentExactly(dead.getLong("id"), sim, call, 1); // a 422 is not retried
  }

  @Test
  void aLeadPastItsFreshnessIsNeverSentItIsDeadAsStale() throws Exception {
    // TrackDrive attaches an offer-token lead to the caller's next call: a lead delivered late could
    // land on the wrong call, so past the route's freshness it is not sent at all.
    String call = rgb();
    JsonObject dead = acceptedThenDead("lead-stale", "17735550127", call);
    assertThat(dead.getString("lastError")).startsWith("stale: not sent");
    assertThat(dead.getInteger("attempts")).as("only the refused attempt reached for TrackDrive").isEqualTo(1);
    assertThat(dead.getString("staleAt")).isNotNull();
    var log = dead.getJsonArray("attemptLog");
    assertThat(log.getJsonObject(log.size() - 1).getString("outcome")).isEqualTo("stale");
  }

  @Test
  void trackDriveDownThenBackGetsTheLeadOnce() throws Exception {
    String call = rgb();
    Http.Response r = pixel("lead-later", "17735550126", call);
    assertThat(r.status()).as("accepted while TrackDrive is down").isEqualTo(202);
    long id = r.json().getLong("id");
    eventually(() -> Optional.of(row(id)).filter(j -> j.getInteger("attempts", 0) >= 1));
    Vertx laterVertx = Vertx.vertx();
    try {
      Simulator later = Simulator.start(laterVertx, SimConfig.parse(SIM, "later"), 2, laterPort).await();
      eventually(() -> Optional.of(row(id)).filter(j -> "delivered".equals(j.getString("status"))));
      JsonObject row = row(id);
      assertThat(row.getString("nextAttemptAt")).isNull();
      assertThat(leadsFor(later, call)).as("once, however many attempts found TrackDrive down").hasSize(1);
    } finally {
      laterVertx.close().await();
    }
  }

  @Test
  void badInputIsA4xxNamingTheField() {
    Http.Response missing = Http.get(base + "/v1/leads/lead?token=t&caller_id=17735550127");
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().getString("field")).isEqualTo("inbound_call_id");
    Http.Response badCaller = pixel("lead", "12", rgb());
    assertThat(badCaller.status()).isEqualTo(422);
    assertThat(badCaller.json().getString("field")).isEqualTo("caller_id");
    assertThat(Http.get(base + "/v1/leads/lead?caller_id=17735550127&inbound_call_id=RGB1").status()).isEqualTo(401);
  }

  @Test
  void anEndpointUrlOffTheDestinationIsAConfigurationError() {
    String yaml = GATEWAY.replace("endpointUrl: \"http://127.0.0.1:${SIM_PORT}/api/v1/leads\"",
        "endpointUrl: \"https://evil.example.com/api/v1/leads\"");
    assertThatThrownBy(() -> TestConfigs.parse(yaml, Map.of("SIM_PORT", "1", "LATER_PORT", "2")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).anySatisfy(err -> assertThat(err)
            .startsWith("routes[0].postingInstructions.endpointUrl: 'https://evil.example.com/api/v1/leads' is not on "
                + "the target's destination 'td'")));
  }
}
