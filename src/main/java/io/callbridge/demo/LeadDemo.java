package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lead: a Ringba pixel (Incoming) → TrackDrive Leads API with the route's posting instructions. */
final class LeadDemo implements FlowDemo {
  private final DemoIds ids;

  LeadDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "lead"; }

  @Override public String route() { return "ringba-lead"; }

  @Override public String story() { return "a Ringba pixel hands a new call to TrackDrive as a lead"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String inboundCallId = ids.ringbaCallId();
    String caller = ids.callerId();
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("caller_id", caller.substring(1));
    in.put("inbound_call_id", inboundCallId);
    DemoCall.Answer answer = call.send("Ringba pixel", in);
    List<JsonObject> leads = call.awaitOutbound("/api/v1/leads",
        e -> inboundCallId.equals(DemoCall.body(e).getJsonObject("data", new JsonObject()).getString("ringba_call_uuid")),
        1, Duration.ofSeconds(5));
    call.show(call.outbound("/api/v1/leads"));
    call.expect(answer.ok(), "Ringba got a 2xx answer (" + answer.status() + ")");
    if (call.expect(!leads.isEmpty(), "TrackDrive received a lead carrying data.ringba_call_uuid " + inboundCallId)) {
      JsonObject body = DemoCall.body(leads.get(0));
      call.expect("demo-lead-token".equals(body.getString("lead_token"))
          && "1001".equals(String.valueOf(body.getValue("traffic_source_id"))),
          "the posting instructions were used exactly (lead_token, traffic_source_id)");
      call.expect(Integer.valueOf(200).equals(leads.get(0).getInteger("status")), "TrackDrive accepted the lead (200)");
      JsonObject lead = DemoCall.response(leads.get(0)).getJsonObject("lead", new JsonObject());
      call.linked("Ringba inboundCallId " + inboundCallId + " ↔ caller id " + caller + " ↔ TrackDrive lead "
          + lead.getString("uuid", "?"));
    }
  }
}
