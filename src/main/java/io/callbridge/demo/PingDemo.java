package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ping: TrackDrive's PING buyer → two Ringba RTB ids concurrently; buyer-a bids, buyer-b never does (1003). */
final class PingDemo implements FlowDemo {
  private final DemoIds ids;

  PingDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "ping"; }

  @Override public String route() { return "td-ping"; }

  @Override public String story() { return "TrackDrive pings Ringba buyers through CallBridge; the best live bid wins"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String uuid = ids.trackDriveCallUuid();
    String caller = ids.callerId();
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("caller_id", caller);
    in.put("call_uuid", uuid);
    in.put("subdomain", "demo");
    in.put("zip", "60601");
    DemoCall.Answer answer = call.send("TrackDrive", in);
    List<JsonObject> pings = call.outbound("/v1/production/");
    call.show(pings);
    call.expect(answer.ok(), "TrackDrive got a 2xx answer (" + answer.status() + ")");
    call.expect(pings.stream().anyMatch(e -> e.getString("path").contains("demo-rtb-buyer-a"))
        && pings.stream().anyMatch(e -> e.getString("path").contains("demo-rtb-buyer-b")),
        "both RTB ids were pinged (demo-rtb-buyer-a, demo-rtb-buyer-b)");
    String cid = caller.substring(1);
    call.expect(pings.stream().allMatch(e -> cid.equals(DemoCall.body(e).getString("CID"))),
        "every ping carried CID " + cid + " (11 digits)");
    JsonObject bid = pings.stream().filter(e -> e.getString("path").contains("demo-rtb-buyer-a"))
        .map(DemoCall::response).filter(r -> r.getDouble("bidAmount", 0.0) > 0).findFirst().orElse(null);
    if (call.expect(bid != null, "buyer-a bid")) {
      call.expect(answer.body().contains(bid.getString("phoneNumberNoPlus")),
          "the answer names buyer-a's number " + bid.getString("phoneNumber") + " (bid " + bid.getValue("bidAmount") + ")");
      call.linked("TrackDrive call_uuid " + uuid + " ↔ Ringba bidId " + bid.getString("bidId") + " ($"
          + bid.getValue("bidAmount") + ", " + bid.getValue("expireInSeconds") + " s)");
    }
  }
}
