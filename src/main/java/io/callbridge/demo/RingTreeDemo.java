package io.callbridge.demo;

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
    Map<String, Object> ping = new LinkedHashMap<>();
    ping.put("CID", caller);
    ping.put("inboundCallId", callId);
    ping.put("zipcode", "60601");
    DemoCall.Answer answer = call.send("Ringba", ping);
    call.expect(answer.ok(), "Ringba got a 2xx answer (" + answer.status() + ")");
    List<JsonObject> tdPings = call.outbound("/api/v1/inbound_webhooks/ping/demo-buyers");
    call.show(tdPings);
    JsonObject sent = tdPings.isEmpty() ? new JsonObject() : DemoCall.body(tdPings.get(0));
    call.expect(callId.equals(sent.getString("ringba_call_uuid")) && caller.substring(1).equals(sent.getString("caller_id")),
        "TrackDrive's ping carried caller_id " + caller.substring(1) + " and ringba_call_uuid " + callId);
    JsonObject bid = answer.json();
    JsonObject buyer = tdPings.isEmpty() ? null
        : DemoCall.response(tdPings.get(0)).getJsonArray("buyers", new io.vertx.core.json.JsonArray()).getJsonObject(0);
    if (!call.expect(bid.getBoolean("accepted", false) && buyer != null
        && bid.getValue("bidAmount").equals(buyer.getValue("bid")), "Ringba is answered TrackDrive's best bid ("
        + bid.getValue("bidAmount") + ", bidId " + bid.getString("bidId") + ", expireInSeconds "
        + bid.getValue("expireInSeconds") + ")")) {
      return;
    }
    DemoCall.Answer accepted = call.send("Ringba", Map.of("bidId", bid.getString("bidId"), "CID", caller), "accept");
    List<JsonObject> posts = call.outbound("/api/v1/inbound_webhooks/post/demo-buyers");
    call.show(posts);
    JsonObject posted = posts.isEmpty() ? new JsonObject() : DemoCall.body(posts.get(0));
    call.expect(buyer.getString("ping_id").equals(posted.getString("ping_id"))
        && String.valueOf(buyer.getValue("buyer_id")).equals(posted.getString("buyer_id")),
        "TrackDrive's post carried the buyer's ping_id " + buyer.getString("ping_id") + " and buyer_id "
        + buyer.getValue("buyer_id"));
    JsonObject a = accepted.json();
    call.expect(accepted.ok() && a.getBoolean("accepted", false) && a.getString("phoneNumber") != null,
        "the accept answers TrackDrive's number " + a.getString("phoneNumber"));
    call.linked("Ringba call " + callId + " ↔ bidId " + bid.getString("bidId") + " ↔ TrackDrive ping_id "
        + buyer.getString("ping_id") + " ↔ caller " + caller);
  }
}
