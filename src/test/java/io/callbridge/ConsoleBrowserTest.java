package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.SimulatedGateway;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator console in a real browser: headless Chromium (Debian's {@code chromium}) driven by
 * Playwright ({@code playwright-core} from the npm registry; {@code bin/callbridge test} installs both
 * when they are missing) against a real gateway ({@code conf/demo.yaml}), PostgreSQL and the
 * simulators, whose TrackDrive refuses two payouts once. {@code src/test/console/console.spec.mjs} signs in (a wrong token first), finds a
 * call by its caller number written another way and reads its timeline, replays a dead postback
 * and sees it delivered, cancels another, reads the audit, and checks a phone's width. Screenshots
 * of each page land in {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
  static final Path PLAYWRIGHT = Path.of(System.getProperty("user.home"), ".cache", "callbridge", "playwright");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  static SimulatedGateway sg;

  /**
   * conf/sim.yaml, with TrackDrive's demo company refusing the 2nd and 3rd request of each kind in the
   * body (HTTP 200 {"status":"error"}; the simulator counts leads and call updates apart): the first
   * payout is booked, the next two go dead; a replay later is accepted.
   */
  static String simYaml() throws Exception {
    String sim = Files.readString(Path.of("conf/sim.yaml"));
    String marker = "      publicKey: demo-public            # update_call";
    assertThat(sim).contains(marker);
    return sim.replaceFirst(java.util.regex.Pattern.quote(marker),
        "      faults: { script: [ok, error200, error200] }\n" + java.util.regex.Matcher.quoteReplacement(marker));
  }

  @BeforeAll
  static void start() throws Exception {
    String gateway = Files.readString(Path.of("conf/demo.yaml")).replace("${CALLBRIDGE_SIM_PORT:-8090}", "${SIM}")
        .replace("accessLog: true", "accessLog: false");
    sg = SimulatedGateway.start(ConsoleBrowserTest.class, simYaml(), 1, gateway);
  }

  @AfterAll
  static void stop() {
    if (sg != null) {
      sg.close();
    }
  }

  /** Every outbox row's call, status and last error, for a failure's message. */
  static String rows(PostgresConfig db) {
    StringBuilder sb = new StringBuilder();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password().value());
        java.sql.Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + db.schema());
      try (java.sql.ResultSet rs = st.executeQuery("SELECT id, call_id, status, last_error FROM outbox ORDER BY id")) {
        while (rs.next()) {
          sb.append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3)).append(' ')
              .append(rs.getString(4)).append("; ");
        }
      }
    } catch (java.sql.SQLException e) {
      sb.append(e.getMessage());
    }
    return sb.toString();
  }

  static Path tool(Path p, String what) {
    if (Files.exists(p)) {
      return p;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(what + " is missing and this is CI: bin/callbridge test installs it (as root with apt-get and npm)");
    }
    Assumptions.abort(what + " is missing (" + p + "): bin/callbridge test installs it; the console's browser test did not run");
    return p;
  }

  @Test
  void anOperatorSignsInFindsACallReplaysADeadPostbackCancelsAnotherAndSeesItAudited() throws Exception {
    Path chromium = tool(Path.of("/usr/bin/chromium"), "Debian's chromium");
    Path modules = tool(PLAYWRIGHT.resolve("node_modules/playwright-core"), "playwright-core").getParent();
    PostgresConfig db = sg.db();
    Map<String, String> auth = Map.of("X-CallBridge-Token", "demo");
    // A Ringba call posted to TrackDrive as a lead, then its conversion, then a payout TrackDrive books.
    assertThat(Http.get(sg.base + "/v1/leads/ringba-lead?caller_id=%2B13125550177&inbound_call_id=RGBCON1", auth).status())
        .isEqualTo(202);
    assertThat(Http.get(sg.base + "/v1/postbacks/td-conversion?ringba_call_uuid=RGBCON1&payout=42.00", auth).status())
        .isEqualTo(202);
    for (String call : new String[] {"TD-PAID-1", "TD-DEAD-1", "TD-DEAD-2"}) {
      assertThat(Http.get(sg.base + "/v1/postbacks/ringba-payout?trackdrive_call_uuid=" + call
          + "&trackdrive_subdomain=demo&payout=10.00", auth).status()).isEqualTo(202);
      // One at a time, so each meets TrackDrive's answer meant for it.
      Eventually.until(call + " answered", () -> TestDb.count(db,
          "SELECT count(*) FROM outbox WHERE call_id = '" + call + "' AND status IN ('dead', 'delivered')") == 1);
    }
    try {
      Eventually.until("three delivered, two dead", () -> TestDb.count(db,
          "SELECT count(*) FROM outbox WHERE status = 'delivered'") == 3
          && TestDb.count(db, "SELECT count(*) FROM outbox WHERE status = 'dead'") == 2);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + rows(db), e);
    }
    // The platforms' own call logs: Ringba's says it paid 12.50 for TD-PAID-1 (TrackDrive booked 10.00),
    // the rest agree once TD-DEAD-1 is replayed.
    long now = System.currentTimeMillis();
    sg.sim.seedReporting(new io.vertx.core.json.JsonObject()
        .put("ringba", new io.vertx.core.json.JsonArray()
            .add(ringba("RGB-PAID-1", now, "12.50", "TD-PAID-1")).add(ringba("RGB-DEAD-1", now, "10.00", "TD-DEAD-1")))
        .put("trackdrive", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
            .put("subdomain", "demo").put("uuid", "TD-CON-1").put("created_at", java.time.Instant.ofEpochMilli(now).toString())
            .put("revenue", "0").put("payout", "42.00").put("buyer_converted", true).put("ringba_call_uuid", "RGBCON1"))));
    long dead1 = TestDb.count(db, "SELECT id FROM outbox WHERE call_id = 'TD-DEAD-1'");
    long dead2 = TestDb.count(db, "SELECT id FROM outbox WHERE call_id = 'TD-DEAD-2'");

    Files.createDirectories(SCREENSHOTS);
    ProcessBuilder pb = new ProcessBuilder("node", Path.of("src/test/console/console.spec.mjs").toAbsolutePath().toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("NODE_PATH", modules.toString());
    env.put("CHROMIUM", chromium.toString());
    env.put("CONSOLE_URL", sg.admin);
    env.put("ADMIN_TOKEN", "demo-admin");
    env.put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
    env.put("CALLER_OTHER_FORMAT", "(312) 555-0177");
    env.put("RINGBA_CALL", "RGBCON1");
    env.put("DEAD_TO_REPLAY", Long.toString(dead1));
    env.put("DEAD_TO_CANCEL", Long.toString(dead2));
    env.put("MISMATCH_CALL", "TD-PAID-1");
    // ESM ignores NODE_PATH: the script is copied next to a node_modules link instead.
    Path work = Files.createTempDirectory("callbridge-console");
    Files.createSymbolicLink(work.resolve("node_modules"), modules);
    Path script = work.resolve("console.spec.mjs");
    Files.copy(Path.of("src/test/console/console.spec.mjs"), script);
    pb.command("node", script.toString());
    Process p = pb.start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(said).isZero();
    assertThat(said).contains("every step passed");
    assertThat(TestDb.count(db, "SELECT count(*) FROM outbox WHERE id = " + dead1 + " AND status = 'delivered'")).isEqualTo(1);
    assertThat(TestDb.count(db, "SELECT count(*) FROM outbox WHERE id = " + dead2 + " AND status = 'cancelled'")).isEqualTo(1);
    assertThat(TestDb.count(db, "SELECT count(*) FROM admin_audit WHERE token_name = 'admin'")).isEqualTo(3);
    assertThat(TestDb.count(db, "SELECT count(*) FROM admin_audit WHERE action = 'reconcile_fix' AND status = 202")).isEqualTo(1);
    for (String shot : new String[] {"sign-in", "overview", "call", "postbacks", "destinations", "audit", "reconcile", "call-phone"}) {
      assertThat(SCREENSHOTS.resolve(shot + ".png")).isNotEmptyFile();
    }
  }

  private static io.vertx.core.json.JsonObject ringba(String id, long at, String payout, String trackDriveCall) {
    return new io.vertx.core.json.JsonObject().put("inboundCallId", id).put("callDt", at).put("payoutAmount", payout)
        .put("conversionAmount", "0").put("hasConverted", true).put("trackdrive_call_uuid", trackDriveCall);
  }
}
