package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code callbridge reconcile}: the report in each format, and an exit code a script can act on. */
class ReconcileCommandTest {
  static Vertx vertx;
  static Simulator sim;
  static PostgresConfig db;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    db = TestDb.freshSchema(ReconcileCommandTest.class);
    String seed = """
        {"trackdrive":[{"subdomain":"demo","uuid":"TD-CLI-1","created_at":"2026-11-20T10:00:00Z","revenue":10,
                        "payout":0,"buyer_converted":true,"ringba_call_uuid":"RGBCLI1"}],
         "ringba":[{"inboundCallId":"RGBCLI1","callDt":1795168800000,"payoutAmount":11.25,"conversionAmount":0,
                    "hasConverted":false,"trackdrive_call_uuid":"TD-CLI-1"}]}""";
    assertThat(Http.post(sim.baseUrl() + "/_sim/reporting", "application/json", seed, Map.of()).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    sim.close().await();
    vertx.close().await();
    TestDb.drop(db);
  }

  @TempDir
  Path dir;

  MainTest.Run reconcile(String... args) throws Exception {
    Path file = dir.resolve("reconcile.yaml");
    Files.writeString(file, """
        postgres: { host: "%s", port: %d, database: "%s", user: "%s", password: "%s", schema: "%s" }
        templates: "%s"
        destinations:
          trackdrive:
            baseUrl: "http://127.0.0.1:%d"
            simulator: true
            callHost: "{subdomain}.trackdrive.com"
            subdomains: [demo]
            headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" }
        routes: []
        reconcile:
          ringba: { baseUrl: "http://127.0.0.1:%d", accountId: demo-account, apiToken: demo-api-token }
        """.formatted(db.host(), db.port(), db.database(), db.user(), db.password().value(), db.schema(),
        Path.of("conf/templates").toAbsolutePath(), sim.port(), sim.port()));
    String[] all = new String[args.length + 3];
    all[0] = "reconcile";
    all[1] = "--config";
    all[2] = file.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return MainTest.main(Map.of(), all);
  }

  @Test
  void aWindowWithAMismatchExits3AndSaysWhatDiffersInEachFormat() throws Exception {
    MainTest.Run table = reconcile("--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z");
    assertThat(table.code()).as(table.err()).isEqualTo(3);
    assertThat(table.out()).contains("1 mismatch(es), $1.25 at stake").contains("amount_differs").contains("TD-CLI-1")
        .contains("Ringba's payout 11.25 is not TrackDrive's revenue 10.00");
    MainTest.Run json = reconcile("--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z", "--format", "json");
    JsonObject report = new JsonObject(json.out());
    assertThat(report.getJsonArray("mismatches").getJsonObject(0).getString("atStake")).isEqualTo("1.25");
    MainTest.Run csv = reconcile("--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z", "--format", "csv");
    assertThat(csv.out().lines()).hasSize(2);
    assertThat(csv.out().lines().skip(1).findFirst().orElseThrow()).startsWith("amount_differs,TD-CLI-1,RGBCLI1,demo,11.25,10.00");
  }

  @Test
  void aCleanWindowExits0AndBadArgumentsExit2() throws Exception {
    MainTest.Run clean = reconcile("--since", "2026-11-22T00:00:00Z", "--until", "2026-11-23T00:00:00Z");
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("0 mismatch(es), $0.00 at stake");
    assertThat(reconcile("--until", "1h").code()).isEqualTo(2);
    assertThat(reconcile("--since", "yesterday").err()).contains("--since must be an age (24h, 90m, 7d) or an ISO instant");
    assertThat(reconcile("--since", "24h", "--format", "xml").err()).contains("--format must be table, json or csv");
  }

  @Test
  void theAdminApiRunsItKeepsTheRunsAndTheMetricsSayWhatTheLastRunFound() {
    Gateway gateway = Gateway.start(io.callbridge.testing.TestConfigs.forTest("""
        server: { adminToken: reconcile-admin-token-0123456789 }
        destinations:
          trackdrive:
            baseUrl: "http://127.0.0.1:%1$d"
            simulator: true
            callHost: "{subdomain}.trackdrive.com"
            subdomains: [demo]
            headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" }
        routes: []
        reconcile:
          ringba: { baseUrl: "http://127.0.0.1:%1$d", accountId: demo-account, apiToken: demo-api-token }
          schedule: { every: 1h, window: 24h }
        """.formatted(sim.port()), db)).await();
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    Map<String, String> auth = Map.of("Authorization", "Bearer reconcile-admin-token-0123456789");
    try {
      Http.Response r = Http.post(admin + "/admin/reconcile", "application/json",
          "{\"since\":\"2026-11-20T00:00:00Z\",\"until\":\"2026-11-21T00:00:00Z\"}", auth);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().getJsonArray("mismatches")).hasSize(1);
      assertThat(r.json().getString("atStake")).isEqualTo("1.25");
      assertThat(Http.post(admin + "/admin/reconcile", "application/json", "{\"since\":\"soon\"}", auth).json()
          .getString("field")).isEqualTo("since");
      JsonObject last = Http.get(admin + "/admin/reconcile/runs", auth).json().getJsonArray("runs").getJsonObject(0);
      assertThat(last.getInteger("mismatches")).isEqualTo(1);
      assertThat(last.getInteger("trackdriveCalls")).isEqualTo(1);
      String metrics = Http.get(admin + "/metrics").body();
      assertThat(metrics).contains("callbridge_reconcile_mismatches{kind=\"amount_differs\"} 1.0")
          .contains("callbridge_reconcile_at_stake_dollars 1.25").contains("callbridge_reconcile_runs_total{result=\"mismatches\"} 1.0");
      assertThat(metrics).containsPattern("callbridge_reconcile_last_run_timestamp_seconds 1\\.[0-9]+E9");
    } finally {
      gateway.stop().await();
    }
  }

  @Test
  void aMismatchsFixIsADryRunUntilConfirmedThenGoesThroughTheOutboxAndTheNextRunIsClean() {
    // 2026-11-25: TrackDrive booked 10.00 for TD-FIX-1, Ringba paid 11.25 for it.
    assertThat(Http.post(sim.baseUrl() + "/_sim/reporting", "application/json", """
        {"trackdrive":[{"subdomain":"demo","uuid":"TD-FIX-1","created_at":"2026-11-25T10:00:00Z","revenue":10,
                        "payout":0,"buyer_converted":true,"ringba_call_uuid":"RGBFIX1"}],
         "ringba":[{"inboundCallId":"RGBFIX1","callDt":1795600800000,"payoutAmount":11.25,"conversionAmount":0,
                    "hasConverted":false,"trackdrive_call_uuid":"TD-FIX-1"}]}""", Map.of()).status()).isEqualTo(200);
    Gateway gateway = Gateway.start(io.callbridge.testing.TestConfigs.forTest("""
        server: { adminToken: reconcile-admin-token-0123456789 }
        destinations:
          trackdrive:
            baseUrl: "http://127.0.0.1:%1$d"
            simulator: true
            platform: trackdrive
            callHost: "{subdomain}.trackdrive.com"
            subdomains: [demo]
            headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" }
        routes:
          - name: ringba-payout
            kind: postback
            auth: { token: reconcile-route-token-0123456789 }
            callIdField: trackdrive_call_uuid
            eventKind: payout
            targets: [ { destination: trackdrive, template: trackdrive-update-call } ]
        reconcile:
          ringba: { baseUrl: "http://127.0.0.1:%1$d", accountId: demo-account, apiToken: demo-api-token }
        """.formatted(sim.port()), db)).await();
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    Map<String, String> auth = Map.of("Authorization", "Bearer reconcile-admin-token-0123456789");
    String window = "{\"since\":\"2026-11-25T00:00:00Z\",\"until\":\"2026-11-26T00:00:00Z\"}";
    try {
      JsonObject first = Http.post(admin + "/admin/reconcile", "application/json", window, auth).json();
      assertThat(first.getJsonArray("mismatches")).hasSize(1);
      long run = first.getLong("run");
      JsonObject dry = Http.post(admin + "/admin/reconcile/fix", "application/json",
          "{\"run\":" + run + ",\"mismatch\":1}", auth).json();
      assertThat(dry.getBoolean("dryRun")).isTrue();
      assertThat(dry.getJsonObject("fix").getString("route")).isEqualTo("ringba-payout");
      assertThat(dry.getJsonObject("fix").getJsonObject("fields").getMap()).containsEntry("trackdrive_call_uuid", "TD-FIX-1")
          .containsEntry("trackdrive_subdomain", "demo").containsEntry("payout", "11.25");
      assertThat(TestDb.count(db, "SELECT count(*) FROM outbox")).as("a dry run sends nothing").isZero();

      Http.Response confirmed = Http.post(admin + "/admin/reconcile/fix", "application/json",
          "{\"run\":" + run + ",\"mismatch\":1,\"confirm\":true}", auth);
      assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
      assertThat(confirmed.json().getInteger("postbackStatus")).isEqualTo(202);
      io.callbridge.testing.Eventually.until("the fix delivered", () -> TestDb.count(db,
          "SELECT count(*) FROM outbox WHERE call_id = 'TD-FIX-1' AND status = 'delivered'") == 1);
      assertThat(TestDb.count(db, "SELECT count(*) FROM admin_audit WHERE action = 'reconcile_fix' AND rows = 1"))
          .isEqualTo(1);

      JsonObject second = Http.post(admin + "/admin/reconcile", "application/json", window, auth).json();
      assertThat(second.getJsonArray("mismatches")).as("the next run is clean").isEmpty();
      assertThat(Http.post(admin + "/admin/reconcile/fix", "application/json", "{\"run\":" + run + ",\"mismatch\":9}",
          auth).status()).isEqualTo(404);
    } finally {
      gateway.stop().await();
    }
  }
}
