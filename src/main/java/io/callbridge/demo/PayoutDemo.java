package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** postback, pattern 1: Ringba's Payout pixel with the TrackDrive uuid → TrackDrive update_call, exactly once. */
final class PayoutDemo implements FlowDemo {
  private final DemoIds ids;

  PayoutDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "postback"; }

  @Override public String route() { return "ringba-payout"; }

  @Override public String story() { return "Ringba reports a payout for a TrackDrive call; sent twice, delivered once"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String uuid = ids.trackDriveCallUuid();
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("trackdrive_call_uuid", uuid);
    in.put("trackdrive_subdomain", "demo");
    in.put("payout", "10.00");
    in.put("revenue", "12.50");
    in.put("converted", "true");
    DemoCall.Answer first = call.send("Ringba pixel", in);
    String path = "/api/v1/calls/update_call/" + uuid;
    List<JsonObject> updates = call.awaitOutbound(path, e -> true, 1, Duration.ofSeconds(5));
    call.show(updates);
    call.expect(first.ok(), "Ringba got a 2xx answer (" + first.status() + ")");
    if (call.expect(!updates.isEmpty() && Integer.valueOf(200).equals(updates.get(0).getInteger("status")),
        "TrackDrive's update_call for " + uuid + " answered 200")) {
      JsonObject body = DemoCall.body(updates.get(0));
      call.expect("10.00".equals(String.valueOf(body.getValue("payout"))) || "10.0".equals(String.valueOf(body.getValue("payout")))
          || "10".equals(String.valueOf(body.getValue("payout"))), "the payout sent was 10.00");
    }
    DemoCall.Answer again = call.send("Ringba pixel (again)", in);
    Thread.sleep(500);
    List<JsonObject> all = call.outbound(path);
    call.show(all.subList(Math.min(updates.size(), all.size()), all.size()));
    long deliveries = all.size();
    call.expect(again.ok(), "the duplicate got a 2xx answer (" + again.status() + ")");
    call.expect(deliveries == 1, "TrackDrive was updated exactly once (" + deliveries + ")");
    call.linked("TrackDrive call_uuid " + uuid + " (demo) ← payout 10.00, revenue 12.50");
  }
}
