package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.sim.Simulator;
import io.callbridge.testing.Http;
import io.callbridge.testing.SimulatedGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ping flow against the Ringba RTB simulator: real bids in the captured shape, codes, cache, latency. */
class PingSimulatorTest {
  static final String SIM = """
      ringba:
        rtb:
          best-a: { bidAmount: { fixed: 3.0 }, expireInSeconds: 60, phoneNumbers: ["+17733408911"], latency: { fixed: 5ms } }
          best-b: { bidAmount: { fixed: 4.2 }, expireInSeconds: 60, phoneNumbers: ["+17733408912"], latency: { fixed: 20ms },
                  sipDomain: rtb.ringba.sip.telnyx.com }
          best-c: { bidAmount: { fixed: 2.5 }, expireInSeconds: 60, phoneNumbers: ["+17733408913"], latency: { fixed: 1ms } }
          short: { bidAmount: { fixed: 9.0 }, expireInSeconds: 5, phoneNumbers: ["+17733408914"] }
          long: { bidAmount: { fixed: 1.5 }, expireInSeconds: 60, phoneNumbers: ["+17733408915"] }
          no-capacity: { noBidRate: 1.0, rejectCode: 1003 }
          rate-limited: { noBidRate: 1.0, rejectCode: 1024 }
          slow: { bidAmount: { fixed: 50.0 }, latency: { fixed: 2s } }
          hanging: { faults: { hang: 1.0, hangFor: 3s } }
          repeat: { bidAmount: { fixed: 7.0 }, expireInSeconds: 60, phoneNumbers: ["+17733408916"] }
          quoting: { bidAmount: { fixed: 6.0 }, expireInSeconds: 60, phoneNumbers: ["+17733408917"], duration: 120 }
          plain: { bidAmount: { fixed: 5.0 }, expireInSeconds: 60, phoneNumbers: ["+17733408918"] }
          rich: { bidAmount: { fixed: 9.0 }, expireInSeconds: 60, phoneNumbers: ["+17733408919"] }
      """;
  static final Map<String, String> AUTH = Map.of("X-CallBridge-Token", "sim-secret");
  static final AtomicInteger CALLER = new AtomicInteger(2_000_000);

  static SimulatedGateway env;
  static Simulator sim;
  static String base;

  static String route(String name, String extra, String... rtbIds) {
    StringBuilder targets = new StringBuilder();
    for (String id : rtbIds) {
      targets.append("      - { name: ").append(id).append(", destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: ")
          .append(id).append(" } }\n");
    }
    return "  - name: " + name + "\n    kind: ping\n    auth: { token: sim-secret }\n" + extra + "    targets:\n" + targets;
  }

  @BeforeAll
  static void start() {
    String yaml = "server: { accessLog: false }\n"
        + "destinations:\n  ringba-rtb: { baseUrl: \"http://127.0.0.1:${SIM}\", simulator: true }\n"
        + "routes:\n"
        + route("best", "    shield: false\n", "best-a", "best-b", "best-c")
        + route("life", "    shield: false\n    minTransferSeconds: 10\n", "short", "long")
        + route("rejected", "    shield: false\n", "no-capacity", "rate-limited")
        + route("slow", "    shield: false\n    deadline: 300ms\n", "best-a", "slow", "hanging")
        + route("repeat", "    shield: false\n", "repeat")
        + route("shielded", "", "repeat")
        + route("ringba-shaped", "    shield: false\n    answerTemplate: trackdrive-ping-answer-ringba\n", "best-b")
        + route("ringba-shaped-none", "    shield: false\n    answerTemplate: trackdrive-ping-answer-ringba\n",
            "no-capacity")
        + "  - name: terms\n    kind: ping\n    auth: { token: sim-secret }\n    shield: false\n    conversionSeconds: 60\n"
        + "    targets:\n"
        + "      - { name: quoting, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: quoting } }\n"
        + "  - name: target-terms\n    kind: ping\n    auth: { token: sim-secret }\n    shield: false\n"
        + "    conversionSeconds: 60\n    targets:\n"
        + "      - { name: plain, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: plain },"
        + " conversionSeconds: 90 }\n"
        + "      - { name: rich, destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: rich }, floor: 10 }\n";
    env = SimulatedGateway.start(PingSimulatorTest.class, SIM, 7, yaml);
    sim = env.sim;
    base = env.base;
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  static JsonObject ping(String route, String callerId) {
    return ping(route, callerId, "CA" + System.nanoTime());
  }

  static JsonObject ping(String route, String callerId, String callUuid) {
    JsonObject body = new JsonObject().put("caller_id", callerId).put("call_uuid", callUuid)
        .put("subdomain", "acme").put("zip", "60601");
    Http.Response r = Http.post(base + "/v1/ping/" + route, "application/json", body.encode(), AUTH);
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  static String caller() {
    return "+1555" + CALLER.incrementAndGet();
  }

  @Test
  void bestOfThree() {
    JsonObject a = ping("best", caller());
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getDouble("bid_amount")).isEqualTo(4.2);
    assertThat(a.getString("phone_number")).isEqualTo("+17733408912");
    assertThat(a.getString("target")).isEqualTo("best-b");
    assertThat(a.getString("bid_id")).startsWith("RTB");
    assertThat(a.getString("sip_address")).endsWith("@rtb.ringba.sip.telnyx.com");
  }

  @Test
  void aBidWithTooLittleLifeIsSkipped() {
    JsonObject a = ping("life", caller());
    assertThat(a.getString("target")).isEqualTo("long");
    assertThat(a.getDouble("bid_amount")).isEqualTo(1.5);
  }

  @Test
  void allRejectedWithReasonsAndCodes() {
    JsonObject a = ping("rejected", caller());
    assertThat(a.getBoolean("accepted")).isFalse();
    assertThat(a.getString("reason")).isEqualTo("all_rejected");
    JsonArray targets = a.getJsonArray("targets");
    assertThat(targets.getJsonObject(0).getInteger("reject_code")).isEqualTo(1003);
    assertThat(targets.getJsonObject(1).getInteger("reject_code")).isEqualTo(1024);
  }

  @Test
  void slowAndHangingTargetsDoNotHoldTheAnswer() {
    long t0 = System.nanoTime();
    JsonObject a = ping("slow", caller());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).isLessThan(600);
    assertThat(a.getBoolean("accepted")).isTrue();
    assertThat(a.getString("target")).isEqualTo("best-a");
  }

  @Test
  void theRingbaShapedAnswerIsWhatTrackDrivesStockRingbaBuyerReads() {
    JsonObject bid = ping("ringba-shaped", caller());
    assertThat(bid.getString("phoneNumber")).isEqualTo("+17733408912");
    assertThat(bid.getString("phoneNumberNoPlus")).isEqualTo("17733408912");
    assertThat(bid.getDouble("bidAmount")).isEqualTo(4.2);
    assertThat(bid.getString("bidId")).startsWith("RTB");
    assertThat(bid.getInteger("duration")).isEqualTo(60);
    assertThat(bid.getLong("expireInSeconds")).isBetween(1L, 60L);
    assertThat(bid.getString("sipAddress")).endsWith("@rtb.ringba.sip.telnyx.com");
    JsonObject none = ping("ringba-shaped-none", caller());
    assertThat(none.getValue("bidAmount")).isEqualTo(0);
    assertThat(none.containsKey("phoneNumber")).as("a no-bid has no number, as Ringba's").isFalse();
    assertThat(none.getString("rejectReason")).isNotBlank();
  }

  @Test
  void theDurationToldToTrackDriveIsTheWinningBuyersOwnTerms() {
    JsonObject quoted = ping("terms", caller());
    assertThat(quoted.getBoolean("accepted")).isTrue();
    assertThat(quoted.getInteger("duration")).as("the bid quoted its own duration").isEqualTo(120);
    JsonObject perTarget = ping("target-terms", caller());
    assertThat(perTarget.getString("target")).as("rich bid 9.0 is under its own floor of 10").isEqualTo("plain");
    assertThat(perTarget.getInteger("duration")).as("the target's own conversionSeconds").isEqualTo(90);
  }

  @Test
  void ringbasOwnCacheAnswersARepeatWithTheSameBid() {
    String callerId = caller();
    String callUuid = "CA-REPEAT-" + System.nanoTime();
    JsonObject first = ping("repeat", callerId, callUuid);
    JsonObject second = ping("repeat", callerId, callUuid);
    // Without our shield the repeat reaches Ringba, which answers from its cache (warning 230): the
    // same CID and tags, so the same call (its trackdrive_call_uuid is one of the tags).
    assertThat(second.getBoolean("cached")).isFalse();
    assertThat(second.getString("bid_id")).isEqualTo(first.getString("bid_id"));
    assertThat(second.getLong("expires_in")).isLessThanOrEqualTo(first.getLong("expires_in"));
    JsonObject recorded = sim.requests("/v1/production/repeat").stream()
        .filter(e -> e.getString("body", "").contains(callerId.substring(1)))
        .reduce((x, y) -> y).orElseThrow();
    assertThat(recorded.getString("response")).contains("\"code\":230");
  }

  @Test
  void theShieldKeepsRepeatsAwayFromRingba() {
    String callerId = caller();
    long before = sim.requests("/v1/production/repeat").size();
    JsonObject first = ping("shielded", callerId);
    JsonObject second = ping("shielded", callerId);
    assertThat(second.getBoolean("cached")).isTrue();
    assertThat(second.getString("bid_id")).isEqualTo(first.getString("bid_id"));
    assertThat(sim.requests("/v1/production/repeat").size()).isEqualTo(before + 1);
  }
}
