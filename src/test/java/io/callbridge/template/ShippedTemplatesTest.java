package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.upstream.OutboundRequest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The five shipped templates render the wire formats of reference/platforms.md. */
class ShippedTemplatesTest {
  static Templates templates;

  @BeforeAll
  static void compile() {
    List<String> errors = new ArrayList<>();
    templates = Templates.compile(Path.of("conf/templates"), List.of("ringba-enrich", "ringba-rtb-ping",
        "ringba-conversion-webhook", "trackdrive-lead", "trackdrive-update-call"), "US", errors);
    assertThat(errors).isEmpty();
  }

  static OutboundRequest rendered(String template, Map<String, ?> fields, Map<String, String> vars,
      Map<String, ?> extras) {
    Rendering r = templates.get(template).render(fields, vars, extras);
    assertThat(r).isInstanceOf(Rendering.Rendered.class);
    return ((Rendering.Rendered) r).request();
  }

  @Test
  void ringbaEnrich() {
    OutboundRequest r = rendered("ringba-enrich",
        Map.of("caller_id", "(555) 777-9999", "call_uuid", "CAabc-123", "subdomain", "acme", "state", "ca"),
        Map.of("publisher_number_id", "PN42"), Map.of());
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.uri()).isEqualTo(
        "/enrich/PN42?callerid=%2B15557779999&trackdrive_call_uuid=CAabc-123&trackdrive_subdomain=acme&state=CA");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void ringbaRtbPingKeepsCallerIdAsElevenDigits() {
    OutboundRequest r = rendered("ringba-rtb-ping", Map.of("caller_id", "+1 555 777 9999", "zip", "12345"),
        Map.of("rtb_id", "abc123"), Map.of());
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/v1/production/abc123.json");
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(r.headers()).containsEntry("Accept", "application/json");
    assertThat(new JsonObject(r.bodyText())).isEqualTo(new JsonObject()
        .put("CID", "15557779999").put("exposeCallerId", "yes").put("zipcode", "12345"));
  }

  @Test
  void ringbaRtbPingCarriesTheTrackDriveCallAsTagsSoRingbaCanPostBack() {
    Map<String, Object> fields = new HashMap<>(Map.of("caller_id", "+15557779999", "call_uuid", "CA-77",
        "subdomain", "acme", "tags", Map.of("first_name", "Ann", "age", 41)));
    OutboundRequest r = rendered("ringba-rtb-ping", fields, Map.of("rtb_id", "abc123", "sip_ok", "yes"), Map.of());
    assertThat(r.uri()).as("Ringba's production path unless a target says otherwise")
        .isEqualTo("/v1/production/abc123.json");
    JsonObject body = new JsonObject(r.bodyText());
    assertThat(body.getString("trackdrive_call_uuid")).isEqualTo("CA-77");
    assertThat(body.getString("trackdrive_subdomain")).isEqualTo("acme");
    assertThat(body.getString("sipOk")).isEqualTo("yes");
    assertThat(body.getString("first_name")).as("a route's chosen field, spread as its own tag").isEqualTo("Ann");
    assertThat(body.getInteger("age")).isEqualTo(41);
    assertThat(body.containsKey("tags")).isFalse();
    OutboundRequest other = rendered("ringba-rtb-ping", Map.of("caller_id", "+15557779999"),
        Map.of("rtb_id", "abc123", "rtb_environment", "staging"), Map.of());
    assertThat(other.uri()).isEqualTo("/v1/staging/abc123.json");
    assertThat(new JsonObject(other.bodyText()).fieldNames()).containsExactlyInAnyOrder("CID", "exposeCallerId");
  }

  @Test
  void ringbaConversionWebhook() {
    // TrackDrive's payout (what it pays its traffic source, the Ringba account) is Ringba's revenue;
    // TrackDrive's own revenue (what its buyer pays it) is not Ringba's business.
    OutboundRequest r = rendered("ringba-conversion-webhook",
        Map.of("ringba_call_uuid", "RGB3B0001", "payout", 12.5, "revenue", 99), Map.of("webhook_id", "wh-1"), Map.of());
    assertThat(r.uri()).isEqualTo("/hook/wh-1?call_id=RGB3B0001&call_revenue=12.5&sale_successful=true");
    Rendering notANumber = templates.get("ringba-conversion-webhook")
        .render(Map.of("ringba_call_uuid", "RGB3B0001", "payout", "twelve"), Map.of("webhook_id", "wh-1"));
    assertThat(notANumber)
        .isEqualTo(new Rendering.Rejected("ringba-conversion-webhook", "payout", "not a number", false));
  }

  @Test
  void trackdriveLeadTakesPostingInstructionsFromTheRouteNeverFromData() {
    Map<String, Object> fields = new HashMap<>(Map.of("caller_id", "18004506787", "inbound_call_id", "RGB3B0002",
        "lead_token", "from-the-caller"));
    OutboundRequest r = rendered("trackdrive-lead", fields, Map.of(),
        Map.of("lead_token", "LT-1", "traffic_source_id", "1001"));
    assertThat(r.uri()).isEqualTo("/api/v1/leads");
    assertThat(new JsonObject(r.bodyText())).isEqualTo(new JsonObject().put("lead_token", "LT-1")
        .put("traffic_source_id", "1001").put("caller_id", "+18004506787")
        .put("data", new JsonObject().put("ringba_call_uuid", "RGB3B0002")));
    Rendering withoutRoute = templates.get("trackdrive-lead").render(fields, Map.of());
    assertThat(withoutRoute).isInstanceOf(Rendering.Rejected.class);
    assertThat(((Rendering.Rejected) withoutRoute).token()).isEqualTo("lead_token");
    assertThat(((Rendering.Rejected) withoutRoute).reason()).isEqualTo("not configured");
  }

  @Test
  void trackdriveUpdateCallKeepsNumbersAndLeavesOutWhatIsMissing() {
    // Ringba's payout ([Call:ConversionPayout]) is TrackDrive's revenue; Ringba's own revenue
    // ([Call:ConversionAmount]) is not TrackDrive's, and TrackDrive's payout is never touched.
    OutboundRequest r = rendered("trackdrive-update-call",
        Map.of("trackdrive_call_uuid", "CA-9", "payout", "10", "revenue", 12.5, "converted", "true"), Map.of(), Map.of());
    assertThat(r.uri()).isEqualTo("/api/v1/calls/update_call/CA-9");
    assertThat(r.bodyText()).isEqualTo(
        "{\"revenue\":10,\"buyer_converted\":\"true\",\"offer_converted\":\"true\"}");
    OutboundRequest noAmounts = rendered("trackdrive-update-call",
        Map.of("trackdrive_call_uuid", "CA-9", "converted", "false"), Map.of(), Map.of());
    assertThat(noAmounts.bodyText()).isEqualTo("{\"buyer_converted\":\"false\",\"offer_converted\":\"false\"}");
    Rendering noVerdict = templates.get("trackdrive-update-call").render(Map.of("trackdrive_call_uuid", "CA-9"), Map.of());
    assertThat(noVerdict).as("the converted flags never default").isInstanceOf(Rendering.Rejected.class);
  }

  @Test
  void missingRequiredTokenNamesIt() {
    Rendering r = templates.get("ringba-enrich").render(Map.of("caller_id", "5557779999"),
        Map.of("publisher_number_id", "PN42"));
    assertThat(r).isEqualTo(new Rendering.Rejected("ringba-enrich", "call_uuid", "missing", false));
    assertThat(((Rendering.Rejected) r).message()).isEqualTo("call_uuid: missing");
    Rendering bad = templates.get("ringba-enrich").render(Map.of("caller_id", "12", "call_uuid", "x"),
        Map.of("publisher_number_id", "PN42"));
    assertThat(bad)
        .isEqualTo(new Rendering.Rejected("ringba-enrich", "caller_id", "not a phone number", false));
  }

  @Test
  void dataCannotAddPathSegmentsOrChooseTheHost() {
    OutboundRequest r = rendered("trackdrive-update-call",
        Map.of("trackdrive_call_uuid", "../../admin?x=1#f", "converted", "false"), Map.of(), Map.of());
    assertThat(r.uri()).isEqualTo("/api/v1/calls/update_call/..%2F..%2Fadmin%3Fx%3D1%23f");
    OutboundRequest dots = rendered("trackdrive-update-call", Map.of("trackdrive_call_uuid", "..", "converted", "false"),
        Map.of(), Map.of());
    assertThat(dots.uri()).isEqualTo("/api/v1/calls/update_call/%2E%2E");
    // A var the template declares never comes from data, even when configuration left it empty.
    Rendering r2 = templates.get("ringba-rtb-ping").render(Map.of("caller_id", "5557779999", "rtb_id", "evil"),
        Map.of("rtb_id", ""));
    assertThat(r2).isEqualTo(new Rendering.Rejected("ringba-rtb-ping", "rtb_id", "not configured", true));
  }
}
