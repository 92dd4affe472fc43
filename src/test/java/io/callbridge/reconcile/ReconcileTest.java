package io.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.store.Database;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation against both simulated platforms' reporting APIs, seeded with calls whose
 * mismatches are known (some CallBridge never saw): the report names exactly those, to the cent,
 * reading each side page by page (2 TrackDrive calls, 3 Ringba records a page here).
 */
class ReconcileTest {
  static Vertx vertx;
  static Simulator sim;
  static PostgresConfig db;
  static Database database;
  static CallBridgeConfig config;

  static JsonObject td(String sub, String uuid, String at, double revenue, double payout, boolean converted, String ringba) {
    JsonObject c = new JsonObject().put("subdomain", sub).put("uuid", uuid).put("created_at", at).put("revenue", revenue)
        .put("payout", payout).put("buyer_converted", converted).put("offer_converted", converted);
    return ringba == null ? c : c.put("ringba_call_uuid", ringba);
  }

  static JsonObject rb(String id, String at, double payout, double revenue, boolean converted, String trackdrive) {
    JsonObject c = new JsonObject().put("inboundCallId", id).put("callDt", Instant.parse(at).toEpochMilli())
        .put("payoutAmount", payout).put("conversionAmount", revenue).put("hasConverted", converted);
    return trackdrive == null ? c : c.put("trackdrive_call_uuid", trackdrive);
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    String day = "2026-12-01T";
    JsonArray tdCalls = new JsonArray()
        .add(td("demo", "TD-A", day + "01:00:00Z", 10, 0, true, "RGBA"))        // agrees
        .add(td("demo", "TD-B", day + "02:00:00Z", 10, 0, true, "RGBB"))        // Ringba paid 12.50
        .add(td("demo", "TD-D", day + "04:00:00Z", 5, 0, true, "RGBD"))         // Ringba has no RGBD
        .add(td("acme", "TD-E", day + "05:00:00Z", 0, 42, false, "RGBE"))       // pattern 2, Ringba did not book it
        .add(td("demo", "TD-F", day + "06:00:00Z", 0, 0, false, null))          // listed by two companies
        .add(td("acme", "TD-F", day + "06:00:00Z", 0, 0, false, null))
        .add(td("demo", "TD-G", day + "07:00:00Z", 7, 0, true, null))           // linked by correlation only
        .add(td("demo", "TD-N", day + "08:00:00Z", 0, 0, false, null))          // another publisher's call, no money
        .add(td("demo", "TD-P", day + "10:00:00Z", 19.99, 0, true, null))       // pattern 1, named by Ringba only
        .add(td("demo", "TD-Q", day + "23:59:58Z", 4, 0, true, null))           // Ringba stamped it after midnight
        .add(td("demo", "TD-Z", "2026-11-30T23:00:00Z", 99, 0, true, "RGBZ"));  // before the window
    JsonArray rbCalls = new JsonArray()
        .add(rb("RGBA", day + "01:00:01Z", 10, 0, false, "TD-A"))
        .add(rb("RGBB", day + "02:00:01Z", 12.5, 0, false, "TD-B"))
        .add(rb("RGBC", day + "03:00:01Z", 8, 0, false, "TD-C"))                 // TrackDrive has no TD-C
        .add(rb("RGBE", day + "05:00:01Z", 0, 0, false, null))
        .add(rb("RGBG", day + "07:00:01Z", 7, 0, false, null))
        .add(rb("RGBH", day + "09:00:01Z", 3, 0, false, null))                   // nothing links it
        // Ringba's revenue from its own buyer is not TrackDrive's payout to its source: agrees.
        .add(rb("RGBP", day + "10:00:01Z", 19.99, 12.5, true, "TD-P"))
        .add(rb("RGBQ", "2026-12-02T00:00:03Z", 4, 0, true, "TD-Q"))             // read in the margin: agrees
        .add(rb("RGBM", "2026-12-02T00:05:00Z", 9, 0, true, null));              // the next window's call
    assertThat(Http.post(sim.baseUrl() + "/_sim/reporting", "application/json",
        new JsonObject().put("trackdrive", tdCalls).put("ringba", rbCalls).encode(), Map.of()).status()).isEqualTo(200);
    db = TestDb.freshSchema(ReconcileTest.class);
    config = TestConfigs.forTest("""
        destinations:
          trackdrive:
            baseUrl: "http://127.0.0.1:%1$d"
            simulator: true
            callHost: "{subdomain}.trackdrive.com"
            subdomains: [demo, acme]
            headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" }
        routes:
          - name: p
            kind: postback
            auth: { token: a-long-enough-token-0123456789 }
            callIdField: trackdrive_call_uuid
            targets: [ { destination: trackdrive, template: trackdrive-update-call } ]
        reconcile:
          trackdrive: { destination: trackdrive, perPage: 2, requestsPerSecond: 20 }
          ringba: { baseUrl: "http://127.0.0.1:%1$d", accountId: demo-account, apiToken: demo-api-token, pageSize: 3,
                    requestsPerSecond: 50 }
        """.formatted(sim.port()), db);
    Database.migrate(config.postgres());
    database = Database.open(vertx, config.postgres());
    // Correlation knows TD-G and RGBG are one call (neither platform names the other).
    TestDb.exec(db, "INSERT INTO call_link (kind, id, call_uuid, inbound_call_id, first_seen, last_seen)"
        + " VALUES (1, 'TD-G', 'TD-G', 'RGBG', now(), now())");
  }

  @AfterAll
  static void stop() {
    database.close().await();
    sim.close().await();
    vertx.close().await();
    TestDb.drop(db);
  }

  @Test
  void theReportFindsExactlyTheCallsWhoseMoneyDiffersToTheCent() {
    Reconciler reconciler = new Reconciler(vertx, database.pool(), config.reconcile(),
        config.destinations().get("trackdrive"));
    Instant started = Instant.now();
    Report report = reconciler.run(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-02T00:00:00Z")).await();
    reconciler.close().await();
    List<String> found = report.mismatches().stream()
        .map(m -> m.kind() + " " + m.trackDriveCall() + " " + m.ringbaCall() + " " + m.toJson().getString("atStake")).toList();
    assertThat(found).containsExactly(
        "amount_differs TD-B RGBB 2.50",
        "amount_differs TD-E RGBE 42.00",
        "converted_one_side TD-E RGBE 42.00",
        "duplicate TD-F null 0.00",
        "missing_on_ringba TD-D RGBD 5.00",
        "missing_on_trackdrive TD-C RGBC 8.00",
        "not_linked null RGBH 3.00");
    assertThat(report.trackDriveCalls()).isEqualTo(9); // calls, not rows (TD-F twice); TD-Z is before the window
    assertThat(report.ringbaCalls()).isEqualTo(7); // RGBQ and RGBM, read in the margin, are the next window's
    assertThat(report.atStake()).isEqualByComparingTo("102.50");
    assertThat(report.mismatches().get(0).detail()).isEqualTo("Ringba's payout 12.50 is not TrackDrive's revenue 10.00");
    assertThat(report.toTable()).contains("7 mismatch(es), $102.50 at stake").contains("TD-B");
    assertThat(report.toCsv().lines()).hasSize(8).first().asString().startsWith("kind,trackdrive_call");
    assertThat(TestDb.count(db, "SELECT mismatches FROM reconcile_run WHERE id = " + report.runId())).isEqualTo(7);
    // Paced: TrackDrive's pages (both companies) at most 20 a second, 50 ms apart (less the network's jitter).
    List<Instant> pages = sim.requests("/api/v1/calls", started).stream().map(e -> Instant.parse(e.getString("at"))).sorted().toList();
    assertThat(pages).hasSizeGreaterThanOrEqualTo(5);
    for (int i = 1; i < pages.size(); i++) {
      // Unpaced, they come a few ms apart.
      assertThat(java.time.Duration.between(pages.get(i - 1), pages.get(i)))
          .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(40));
    }
  }

  @Test
  void aFleetReconcilesOncePerScheduledPeriodWhicheverInstanceTicksFirst() {
    Database other = Database.open(vertx, config.postgres()); // a second instance: its own pool
    Reconciler a = new Reconciler(vertx, database.pool(), config.reconcile(), config.destinations().get("trackdrive"));
    Reconciler b = new Reconciler(vertx, other.pool(), config.reconcile(), config.destinations().get("trackdrive"));
    Instant from = Instant.parse("2026-12-01T00:00:00Z");
    Instant to = Instant.parse("2026-12-02T00:00:00Z");
    java.time.Duration hourly = java.time.Duration.ofHours(1);
    try {
      var both = io.vertx.core.Future.all(a.runScheduled(from, to, hourly), b.runScheduled(from, to, hourly)).await();
      List<Boolean> ran = List.of(both.<java.util.Optional<Report>>resultAt(0).isPresent(),
          both.<java.util.Optional<Report>>resultAt(1).isPresent());
      assertThat(ran).containsExactlyInAnyOrder(true, false);
      assertThat(a.runScheduled(from, to, hourly).await()).isEmpty(); // the period's run is done
      // A period of 2 ms: half of it has long passed, so the next tick runs again.
      assertThat(b.runScheduled(from, to, java.time.Duration.ofMillis(2)).await()).get()
          .satisfies(r -> assertThat(r.mismatches()).hasSize(7));
      assertThat(TestDb.count(db, "SELECT count(*) FROM reconcile_run WHERE scheduled")).isEqualTo(2);
    } finally {
      a.close().await();
      b.close().await();
      other.close().await();
    }
  }
}
