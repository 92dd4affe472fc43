package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * ping: TrackDrive's PING buyer → two Ringba RTB ids concurrently; buyer-a bids, buyer-b never does
 * (1003). Then the same caller and tags again: the ping shield answers without pinging Ringba.
 */
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
    Map<String, Object> in = DemoIds.trackDriveCall(uuid, caller);
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
    JsonObject reply = answer.json();
    if (call.expect(bid != null, "buyer-a bid")) {
      call.expect(reply.getBoolean("accepted", false) && bid.getString("phoneNumber").equals(reply.getString("phone_number"))
          && bid.getString("bidId").equals(reply.getString("bid_id")),
          "the answer is accepted with buyer-a's number " + bid.getString("phoneNumber") + " and bid "
          + bid.getValue("bidAmount") + " (bid_id " + bid.getString("bidId") + ")");
      call.expect(reply.getInteger("duration", -1) == 60 && reply.getLong("expires_in", 0L) >= 10,
          "duration 60 s (conversionSeconds), expires_in " + reply.getValue("expires_in") + " s (at least minTransferSeconds)");
      call.linked("TrackDrive call_uuid " + uuid + " ↔ Ringba bidId " + bid.getString("bidId") + " ($"
          + bid.getValue("bidAmount") + ", " + bid.getValue("expireInSeconds") + " s) ↔ caller " + caller);
    }
    // The ping shield: the same caller and tags again (another call) is answered from memory.
    int before = call.outbound("/v1/production/").size();
    in.put("call_uuid", ids.trackDriveCallUuid());
    JsonObject again = call.send("TrackDrive", in).json();
    int after = call.outbound("/v1/production/").size();
    call.expect(again.getBoolean("cached", false) && reply.getString("bid_id", "").equals(again.getString("bid_id")),
        "an identical ping is answered by the ping shield (cached: true, same bid) ...");
    call.expect(after == before, "... without pinging Ringba again");
  }
}

