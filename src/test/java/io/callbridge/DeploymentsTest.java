package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.SimulatedGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two deployments on one PostgreSQL (an instance pointed at the wrong database): each delivers only
 * its own deployment's postbacks, so one never sends the other's to its own destinations.
 */
class DeploymentsTest {
  static final String SIM = """
      ringba:
        webhooks:
          hook: { knownCallIds: "RGB[0-9A-Za-z-]+", callIdParam: call_id, revenueParam: call_revenue,
                  convertParam: sale_successful }
      """;
  static final String GATEWAY = """
      deployment: red
      server: { accessLog: false, adminToken: admin }
      destinations:
        ringba-webhook: { baseUrl: "http://127.0.0.1:${SIM}", simulator: true, requestTimeout: 2s }
      routes:
        - name: td-conversion
          kind: postback
          auth: { token: td }
          callIdField: ringba_call_uuid
          oncePerCall: true
          retrySchedule: [0s, 200ms]
          targets: [ { destination: ringba-webhook, template: ringba-conversion-webhook, vars: { webhook_id: hook } } ]
      """;
  static final Map<String, String> TD = Map.of("X-CallBridge-Token", "td");
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin");

  static SimulatedGateway red;
  static String blue;
  static String blueAdmin;

  @BeforeAll
  static void start() {
    // The configured deployment (red) only stores; blue, on the same database, delivers.
    red = SimulatedGateway.start(DeploymentsTest.class, SIM, 9, GATEWAY, Map.of("CALLBRIDGE_OUTBOX_DELIVERY", "off"));
    Gateway other = red.another(Map.of("CALLBRIDGE_DEPLOYMENT", "blue", "CALLBRIDGE_OUTBOX_DELIVERY", "on"));
    blue = "http://127.0.0.1:" + other.publicPort();
    blueAdmin = "http://127.0.0.1:" + other.adminPort();
  }

  @AfterAll
  static void stop() {
    red.close();
  }

  static JsonObject row(String admin, long id) {
    return Http.get(admin + "/admin/postbacks/" + id, ADMIN).json();
  }

  @Test
  void anInstanceDeliversOnlyItsOwnDeploymentsPostbacks() {
    long redRow = Http.get(red.base + "/v1/postbacks/td-conversion?ringba_call_uuid=RGB-RED-1&payout=10", TD).json()
        .getLong("id");
    long blueRow = Http.get(blue + "/v1/postbacks/td-conversion?ringba_call_uuid=RGB-BLUE-1&payout=10", TD).json()
        .getLong("id");
    // Blue's worker has claimed since the red row was due (it delivered its own, due later)...
    Eventually.value("blue's own postback delivered", () -> Optional.of(row(blueAdmin, blueRow))
        .filter(r -> "delivered".equals(r.getString("status"))));
    // ...and left red's alone: never attempted, nothing of it at Ringba.
    JsonObject untouched = row(red.admin, redRow);
    assertThat(untouched.getString("status")).isEqualTo("pending");
    assertThat(untouched.getInteger("attempts")).isZero();
    assertThat(red.sim.requests("/hook/")).noneMatch(q -> q.encode().contains("RGB-RED-1"));
    assertThat(Http.post(blueAdmin + "/admin/postbacks/" + redRow + "/cancel", null, null, ADMIN).status())
        .as("nor may blue's operator cancel it").isNotEqualTo(200);
    assertThat(row(red.admin, redRow).getString("status")).isEqualTo("pending");
  }
}
