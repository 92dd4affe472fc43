package io.callbridge.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ring-tree: Ringba's ring tree pings CallBridge as a Ring Tree Target; CallBridge pings
 * TrackDrive's inbound webhook and answers the buyer's bid in Ringba's words; Ringba accepts and
 * CallBridge posts TrackDrive's post step with the buyer's ping_id, answering the number to dial.
 */
final class RingTreeDemo implements FlowDemo {
  private final DemoIds ids;

  RingTreeDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "ring-tree"; }

  @Override public String route() { return "ringba-ring-tree"; }

  @Override public String story() { return "Ringba's ring tree pings TrackDrive buyers through CallBridge, then accepts"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String caller = ids.callerId();
    String callId = ids.ringbaCallId();
    Map<String, Object> offered = new LinkedHashMap<>();
    offered.put("CID", caller);
    offered.put("inboundCallId", callId);
    offered.put("zipcode", "60601");
    // The simulated Ringba plays the call: its ring tree pings CallBridge, then accepts the bid.
    DemoCall.Answer ringba = call.ringTree("demo-ring-tree", offered);
    JsonObject outcome = ringba.json();
    if (ringba.status() == 501 || outcome.getJsonArray("pings", new JsonArray()).stream()
        .anyMatch(p -> ((JsonObject) p).getInteger("status", 0) == 501)) {
      throw new DemoCall.NotThereYet("the ring-tree flow is not in this build");
    }
    List<JsonObject> tdPings = call.outbound("/api/v1/inbound_webhooks/ping/demo-buyers");
    JsonObject sent = tdPings.isEmpty() ? new JsonObject() : DemoCall.body(tdPings.get(0));
    call.expect(callId.equals(sent.getString("ringba_call_uuid")) && caller.substring(1).equals(sent.getString("caller_id")),
        "TrackDrive's ping carried caller_id " + caller.substring(1) + " and ringba_call_uuid " + callId);
    JsonObject ping = outcome.getJsonArray("pings", new JsonArray()).isEmpty() ? new JsonObject()
        : outcome.getJsonArray("pings").getJsonObject(0);
    JsonObject bid = ping.getJsonObject("answer", new JsonObject());
    JsonObject buyer = tdPings.isEmpty() ? null
        : DemoCall.response(tdPings.get(0)).getJsonArray("buyers", new JsonArray()).getJsonObject(0);
    if (!call.expect(bid.getBoolean("accepted", false) && buyer != null
        && bid.getValue("bidAmount").equals(buyer.getValue("bid")), "Ringba was answered TrackDrive's best bid ("
        + bid.getValue("bidAmount") + ", bidId " + bid.getString("bidId") + ", expireInSeconds "
        + bid.getValue("expireInSeconds") + ")")) {
      return;
    }
    List<JsonObject> posts = call.outbound("/api/v1/inbound_webhooks/post/demo-buyers");
    JsonObject posted = posts.isEmpty() ? new JsonObject() : DemoCall.body(posts.get(0));
    call.expect(buyer.getString("ping_id").equals(posted.getString("ping_id"))
        && String.valueOf(buyer.getValue("buyer_id")).equals(posted.getString("buyer_id")),
        "TrackDrive's post carried the buyer's ping_id " + buyer.getString("ping_id") + " and buyer_id "
        + buyer.getValue("buyer_id"));
    call.expect(outcome.getBoolean("routed", false) && outcome.getString("phoneNumber") != null,
        "Ringba routed the call to TrackDrive's number " + outcome.getString("phoneNumber")
        + (outcome.getBoolean("routed", false) ? "" : " (not routed: " + outcome.getString("reason") + ")"));
    call.linked("Ringba call " + callId + " ↔ bidId " + bid.getString("bidId") + " ↔ TrackDrive ping_id "
        + buyer.getString("ping_id") + " ↔ caller " + caller);
  }
}
