package io.callbridge.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Flows;
import io.callbridge.Gateway;
import io.callbridge.Services;
import io.callbridge.config.PostgresConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.RouteKind;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Reply;
import io.callbridge.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo end to end, in-process: simulators, gateway on ephemeral ports, a schema of its own. */
class DemoTest {
  static PostgresConfig db;

  @BeforeAll
  static void schema() {
    db = TestDb.freshSchema(DemoTest.class);
  }

  @AfterAll
  static void drop() {
    TestDb.drop(db);
  }

  record Run(int exit, String output) {}

  static Run demo(Optional<Gateway.FlowFactory> flows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int exit = Demo.run(new Demo.Options(Path.of("conf/demo.yaml"), Path.of("conf/sim.yaml"), Map.of(), 0,
        c -> c.withServer(c.server().withPorts(0, 0)).withPostgres(db), flows, out));
    String text = bytes.toString(StandardCharsets.UTF_8);
    return new Run(exit, text);
  }

  @Test
  void demoRunsEndToEndAndExitsZero() {
    Run run = demo(Optional.empty());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("td-enrich", "ringba-lead", "td-ping", "ringba-payout", "td-conversion",
        "Where to look", "/metrics", "0 failed");
  }

  @Test
  void theTimelineShowsWhatAnAnswerWaitedForBeforeTheAnswer() {
    String out = demo(Optional.empty()).output();
    String enrich = out.substring(out.indexOf("━━ enrich"), out.indexOf("━━ ping"));
    assertThat(enrich.indexOf("CallBridge → Ringba IDE")).as(enrich).isPositive()
        .isLessThan(enrich.indexOf("CallBridge → TrackDrive              ← 200"));
    String ping = out.substring(out.indexOf("━━ ping"), out.indexOf("━━ lead"));
    assertThat(ping.indexOf("CallBridge → Ringba RTB")).as(ping).isPositive()
        .isLessThan(ping.indexOf("CallBridge → TrackDrive              ← 200"));
    assertThat(ping.split("CallBridge → Ringba RTB", -1)).as("each RTB ping printed once").hasSize(3);
  }

  @Test
  void scriptsPassWhenFlowsDoTheirJob() {
    Run run = demo(Optional.of(StandIns.good()));
    assertThat(run.output()).contains("6 passed, 0 failed, 0 not there yet");
    assertThat(run.exit()).as(run.output()).isZero();
  }

  @Test
  void theDemoEndsWithEachCallsMoneyAndTheBooksAgree() {
    Run run = demo(Optional.empty());
    String out = run.output();
    assertThat(out).as(out).contains("Money, per call");
    assertThat(out.substring(out.indexOf("Money, per call"))).as(out)
        .contains("✔ Ringba payout → TrackDrive revenue", "reported $11.25 converted → booked revenue $11.25",
            "reported $7.50 converted → booked revenue $7.50", "✔ TrackDrive payout → Ringba revenue",
            "reported $42.00 converted → booked converted, revenue $42.00",
            "reported $0.00 not converted → booked no conversion")
        .doesNotContain("✘");
  }

  @Test
  void demoFailsWhenMoneyLandsInTheWrongField() {
    Run run = demo(Optional.of(StandIns.bookingRingbasPayoutAsTrackDrivesPayout()));
    assertThat(run.exit()).as(run.output()).isEqualTo(1);
    assertThat(run.output()).contains("✘ Ringba's payout 10.00 went to TrackDrive's revenue",
        "TrackDrive's payout (to its own traffic source) was overwritten", "the two platforms' books disagree");
  }

  @Test
  void demoFailsWhenAFlowMisbehaves() {
    Run run = demo(Optional.of(StandIns.sendingConversionsTwice()));
    assertThat(run.exit()).as(run.output()).isEqualTo(1);
    assertThat(run.output()).contains("✘ CallBridge sent Ringba exactly one conversion for the call (2)");
  }

  /**
   * Minimal stand-ins for the flows, just enough to behave as DESIGN.md says at the wire; they
   * show the demo's checks accept a correct flow and catch a wrong one.
   */
  static final class StandIns {
    static Gateway.FlowFactory good() {
      return (route, services) -> flow(route, services, false, false);
    }

    static Gateway.FlowFactory sendingConversionsTwice() {
      return (route, services) -> flow(route, services, true, false);
    }

    static Gateway.FlowFactory bookingRingbasPayoutAsTrackDrivesPayout() {
      return (route, services) -> flow(route, services, false, true);
    }

    static Flow flow(RouteConfig route, Services services, boolean duplicateConversions, boolean wrongField) {
      if (route.kind() == RouteKind.PING || route.kind() == RouteKind.RING_TREE) {
        return Flows.create(route, services);
      }
      WebClient web = WebClient.create(services.vertx());
      // the simulator's port, as conf/demo.yaml's destination has it (CALLBRIDGE_SIM_PORT)
      int port = services.config().destinations().get(route.targets().get(0).destination()).port();
      Set<String> seen = ConcurrentHashMap.newKeySet();
      return inbound -> {
        Map<String, Object> f = inbound.fields();
        String caller = String.valueOf(f.get("caller_id"));
        return switch (route.name()) {
          case "td-enrich" -> web.get(port, "127.0.0.1", "/enrich/demo-publisher-number")
              .addQueryParam("callerid", caller).addQueryParam("trackdrive_call_uuid", String.valueOf(f.get("call_uuid")))
              .send().map(r -> Reply.json(200, new JsonObject().put("accepted", true)));
          case "ringba-lead" -> web.post(port, "127.0.0.1", "/api/v1/leads").sendJsonObject(new JsonObject()
                  .put("lead_token", "demo-lead-token").put("traffic_source_id", "1001").put("caller_id", caller)
                  .put("data", new JsonObject().put("ringba_call_uuid", f.get("inbound_call_id"))))
              .map(r -> Reply.json(200, new JsonObject().put("status", r.statusCode())));
          case "ringba-payout" -> {
            String uuid = String.valueOf(f.get("trackdrive_call_uuid"));
            String payout = String.valueOf(f.get("payout"));
            boolean correction = seen.contains(uuid);
            if (!seen.add(uuid + "|" + payout)) {
              yield Future.succeededFuture(Reply.json(200, new JsonObject().put("duplicate", true)));
            }
            seen.add(uuid);
            boolean converted = new java.math.BigDecimal(payout).signum() > 0;
            JsonObject update = new JsonObject().put("buyer_converted", String.valueOf(converted))
                .put("offer_converted", String.valueOf(converted));
            if (wrongField) {
              update.put("payout", payout); // the wave-1 mistake: Ringba's payout into TrackDrive's payout
            } else {
              update.put("revenue", payout);
            }
            yield web.post(port, "127.0.0.1", "/api/v1/calls/update_call/" + uuid)
                .putHeader("Host", f.get("trackdrive_subdomain") + ".trackdrive.com")
                .putHeader("Authorization", "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl")
                .sendJsonObject(update)
                .map(r -> Reply.json(202, new JsonObject().put("queued", true).put("correction", correction)));
          }
          case "td-conversion" -> {
            String id = String.valueOf(f.get("ringba_call_uuid"));
            if (new java.math.BigDecimal(String.valueOf(f.get("payout"))).signum() <= 0) {
              yield Future.succeededFuture(Reply.json(202, new JsonObject().put("status", "skipped")));
            }
            if (!seen.add(id) && !duplicateConversions) {
              yield Future.succeededFuture(Reply.json(200, new JsonObject().put("duplicate", true)));
            }
            yield web.get(port, "127.0.0.1", "/hook/demo-conversion-hook").addQueryParam("call_id", id)
                .addQueryParam("call_revenue", new java.math.BigDecimal(String.valueOf(f.get("payout")))
                    .stripTrailingZeros().toPlainString()).addQueryParam("sale_successful", "true")
                .send().map(r -> Reply.json(202, new JsonObject().put("queued", true)));
          }
          default -> Future.succeededFuture(Reply.error(500, "no stand-in"));
        };
      };
    }
  }
}
