package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * postback, pattern 1: Ringba's Payout pixel for a TrackDrive call → TrackDrive update_call on the
 * call's own company, exactly once; Ringba's payout becomes TrackDrive's revenue, a later different
 * amount is a correction, a $0 payout updates without converting.
 */
final class PayoutDemo implements FlowDemo {
  private final DemoIds ids;
  private final Money money;

  PayoutDemo(DemoIds ids, Money money) {
    this.ids = ids;
    this.money = money;
  }

  @Override public String flow() { return "postback"; }

  @Override public String route() { return "ringba-payout"; }

  @Override public String story() {
    return "Ringba reports a payout for a TrackDrive call: revenue on the call's own company, once, corrected later";
  }

  /** The Ringba Payout pixel's fields, as its tokens fill them. */
  private static Map<String, Object> pixel(String uuid, String company, String payout) {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("trackdrive_call_uuid", uuid);          // [tag:User:trackdrive_call_uuid]
    in.put("trackdrive_subdomain", company);       // [tag:User:trackdrive_subdomain]
    in.put("payout", payout);                      // [Call:ConversionPayout]: what Ringba pays the publisher
    in.put("revenue", "12.50");                    // [Call:ConversionAmount]: Ringba's own revenue, not TrackDrive's
    return in;
  }

  @Override
  public void run(DemoCall call) throws Exception {
    String uuid = ids.trackDriveCallUuid();
    String path = "/api/v1/calls/update_call/" + uuid;
    DemoCall.Answer first = call.send("Ringba pixel", pixel(uuid, "demo", "10.00"));
    List<JsonObject> updates = call.awaitOutbound(path, e -> true, 1, Duration.ofSeconds(5));
    call.show(updates);
    call.expect(first.ok(), "Ringba got a 2xx answer (" + first.status() + ")");
    if (call.expect(!updates.isEmpty() && Integer.valueOf(200).equals(updates.get(0).getInteger("status")),
        "TrackDrive's update_call for " + uuid + " answered 200")) {
      JsonObject body = DemoCall.body(updates.get(0));
      call.expect(same(body.getValue("revenue"), "10.00"), "Ringba's payout 10.00 went to TrackDrive's revenue");
      call.expect(!body.containsKey("payout"), "TrackDrive's payout (to its own traffic source) was not touched");
      call.expect("true".equals(body.getString("buyer_converted")), "converted, as Ringba's payout event says");
      call.expect("demo.trackdrive.com".equals(host(updates.get(0))), "sent to the call's own company (Host "
          + host(updates.get(0)) + ")");
    }
    DemoCall.Answer again = call.send("Ringba pixel (again)", pixel(uuid, "demo", "10.00"));
    Thread.sleep(300);
    call.expect(again.ok() && call.outbound(path).size() == 1, "the duplicate got a 2xx answer and TrackDrive was "
        + "updated exactly once (" + call.outbound(path).size() + ")");

    DemoCall.Answer corrected = call.send("Ringba pixel (corrected)", pixel(uuid, "demo", "11.25"));
    List<JsonObject> after = call.awaitOutbound(path, e -> true, 2, Duration.ofSeconds(5));
    call.show(after.subList(Math.min(1, after.size()), after.size()));
    call.expect(corrected.ok() && corrected.json().getBoolean("correction", false),
        "a later different amount is a correction (" + corrected.status() + ")");
    call.expect(after.size() == 2 && same(DemoCall.body(after.get(1)).getValue("revenue"), "11.25"),
        "the correction reached TrackDrive after the first update: the latest value wins");
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, uuid, "demo", "11.25", true);

    String other = ids.trackDriveCallUuid();
    List<JsonObject> acme = firstUpdate(call, "Ringba pixel", other, "acme", "7.50");
    call.expect(!acme.isEmpty() && "acme.trackdrive.com".equals(host(acme.get(0))),
        "another company's call went to its own host (acme.trackdrive.com)");
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, other, "acme", "7.50", true);

    String zero = ids.trackDriveCallUuid();
    List<JsonObject> none = firstUpdate(call, "Ringba pixel ($0)", zero, "demo", "0.00");
    call.expect(!none.isEmpty() && "false".equals(DemoCall.body(none.get(0)).getString("buyer_converted")),
        "a $0 payout updates TrackDrive without converting");
    money.reported(Money.Pattern.RINGBA_TO_TRACKDRIVE, zero, "demo", "0", false);
    call.linked("TrackDrive call_uuid " + uuid + " (demo) ← revenue 10.00, corrected to 11.25; " + other
        + " (acme) ← 7.50; " + zero + " ← $0, not converted");
  }

  /** Sends a pixel for a new call and shows the update_call it led to (empty when none came). */
  private static List<JsonObject> firstUpdate(DemoCall call, String who, String uuid, String company, String payout)
      throws Exception {
    call.send(who, pixel(uuid, company, payout));
    List<JsonObject> updates = call.awaitOutbound("/api/v1/calls/update_call/" + uuid, e -> true, 1,
        Duration.ofSeconds(5));
    call.show(updates);
    return updates;
  }

  private static String host(JsonObject recorded) {
    JsonObject headers = recorded.getJsonObject("headers", new JsonObject());
    String host = headers.getString("Host", headers.getString("host", ""));
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon); // a simulator on a port other than 443
  }

  static boolean same(Object value, String amount) {
    try {
      return value != null && new BigDecimal(String.valueOf(value)).compareTo(new BigDecimal(amount)) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
