package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.FakeDestination;
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
 * when they are missing) against a real gateway, PostgreSQL and a destination that refuses two
 * conversions once. {@code src/test/console/console.spec.mjs} signs in (a wrong token first), finds a
 * call by its caller number written another way and reads its timeline, replays a dead postback
 * and sees it delivered, cancels another, reads the audit, and checks a phone's width. Screenshots
 * of each page land in {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
  static final Path PLAYWRIGHT = Path.of(System.getProperty("user.home"), ".cache", "callbridge", "playwright");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  static PostgresConfig db;
  static FakeDestination dest;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(ConsoleBrowserTest.class);
    dest = FakeDestination.start();
    dest.fallback(id -> FakeDestination.Action.status(200));
    dest.script("RGBDEAD1", FakeDestination.Action.status(422));
    dest.script("RGBDEAD2", FakeDestination.Action.status(422));
    String yaml = """
        server: { adminToken: console-admin-token-0123456789 }
        destinations:
          platforms: { baseUrl: "http://127.0.0.1:%d", allowPrivate: true, requestTimeout: 2s }
        routes:
          - name: ringba-lead
            kind: lead
            auth: { token: console-route-token-0123456789 }
            postingInstructions:
              leadToken: lt-1
              trafficSourceId: "1001"
              endpointUrl: http://127.0.0.1:%d/api/v1/leads
            targets: [ { destination: platforms, template: trackdrive-lead } ]
          - name: td-conversion
            kind: postback
            auth: { token: console-route-token-0123456789 }
            callIdField: ringba_call_uuid
            eventKind: conversion
            oncePerCall: true
            conversion: { amountField: payout, above: 0 }
            retrySchedule: [0s]
            targets: [ { destination: platforms, template: ringba-conversion-webhook, vars: { webhook_id: hook-1 } } ]
        """.formatted(dest.port(), dest.port());
    gateway = Gateway.start(TestConfigs.forTest(yaml, db)).await();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop().await();
    }
    dest.close();
    TestDb.drop(db);
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
    String base = "http://127.0.0.1:" + gateway.publicPort();
    Map<String, String> auth = Map.of("X-CallBridge-Token", "console-route-token-0123456789");
    assertThat(Http.get(base + "/v1/leads/ringba-lead?caller_id=%2B13125550177&inbound_call_id=RGBCON1", auth).status())
        .isEqualTo(202);
    for (String call : new String[] {"RGBCON1", "RGBDEAD1", "RGBDEAD2"}) {
      assertThat(Http.get(base + "/v1/postbacks/td-conversion?ringba_call_uuid=" + call + "&payout=42.00", auth).status())
          .isEqualTo(202);
    }
    Eventually.until("two dead, the rest delivered", () -> TestDb.count(db, "SELECT count(*) FROM outbox WHERE status = 'dead'") == 2
        && TestDb.count(db, "SELECT count(*) FROM outbox WHERE status = 'delivered'") == 2);
    long dead1 = TestDb.count(db, "SELECT id FROM outbox WHERE call_id = 'RGBDEAD1'");
    long dead2 = TestDb.count(db, "SELECT id FROM outbox WHERE call_id = 'RGBDEAD2'");

    Files.createDirectories(SCREENSHOTS);
    ProcessBuilder pb = new ProcessBuilder("node", Path.of("src/test/console/console.spec.mjs").toAbsolutePath().toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("NODE_PATH", modules.toString());
    env.put("CHROMIUM", chromium.toString());
    env.put("CONSOLE_URL", "http://127.0.0.1:" + gateway.adminPort());
    env.put("ADMIN_TOKEN", "console-admin-token-0123456789");
    env.put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
    env.put("CALLER_OTHER_FORMAT", "(312) 555-0177");
    env.put("RINGBA_CALL", "RGBCON1");
    env.put("DEAD_TO_REPLAY", Long.toString(dead1));
    env.put("DEAD_TO_CANCEL", Long.toString(dead2));
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
    assertThat(TestDb.count(db, "SELECT count(*) FROM admin_audit WHERE token_name = 'admin'")).isEqualTo(2);
    for (String shot : new String[] {"sign-in", "overview", "call", "postbacks", "destinations", "audit", "call-phone"}) {
      assertThat(SCREENSHOTS.resolve(shot + ".png")).isNotEmptyFile();
    }
  }
}
