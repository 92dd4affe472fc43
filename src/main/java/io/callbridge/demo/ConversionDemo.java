package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * postback, pattern 2: TrackDrive's conversion webhook with the Ringba id → Ringba incoming webhook,
 * once per call. TrackDrive's payout (to its traffic source, the Ringba account) is Ringba's revenue;
 * a $0 event is held back, so it never uses up the call's one conversion.
 */
final class ConversionDemo implements FlowDemo {
  private final DemoIds ids;
  private final Money money;

  ConversionDemo(DemoIds ids, Money money) {
    this.ids = ids;
    this.money = money;
  }

  @Override public String flow() { return "postback"; }

  @Override public String route() { return "td-conversion"; }

  @Override public String story() {
    return "TrackDrive reports a conversion for a Ringba call; a $0 event never uses up Ringba's one conversion";
  }

  private static Map<String, Object> webhook(String inboundCallId, String payout) {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("ringba_call_uuid", inboundCallId);   // the TrackDrive contact field holding Ringba's id
    in.put("payout", payout);                    // [payout]: what TrackDrive pays its traffic source
    return in;
  }

  @Override
  public void run(DemoCall call) throws Exception {
    String inboundCallId = ids.ringbaCallId();
    DemoCall.Answer zero = call.send("TrackDrive ($0)", webhook(inboundCallId, "0.00"));
    call.expect(zero.ok() && "skipped".equals(zero.json().getString("status")),
        "a $0 event is stored as skipped, not sent (" + zero.json().getString("status") + ")");
    DemoCall.Answer first = call.send("TrackDrive", webhook(inboundCallId, "42.00"));
    List<JsonObject> hooks = call.awaitOutbound("/hook/", e -> inboundCallId.equals(DemoCall.query(e, "call_id")), 1,
        Duration.ofSeconds(5));
    call.show(hooks);
    call.expect(first.ok(), "TrackDrive got a 2xx answer (" + first.status() + ")");
    call.expect(!hooks.isEmpty() && Integer.valueOf(200).equals(hooks.get(0).getInteger("status"))
            && PayoutDemo.same(DemoCall.query(hooks.get(0), "call_revenue"), "42"),
        "Ringba's webhook converted " + inboundCallId + " with revenue 42 (the $0 event did not use it up)");
    DemoCall.Answer again = call.send("TrackDrive (again)", webhook(inboundCallId, "42.00"));
    Thread.sleep(500);
    List<JsonObject> sent = call.outbound("/hook/").stream()
        .filter(e -> inboundCallId.equals(DemoCall.query(e, "call_id"))).toList();
    call.show(sent.subList(Math.min(hooks.size(), sent.size()), sent.size()));
    call.expect(again.ok(), "the duplicate got a 2xx answer (" + again.status() + ")");
    // Ringba would 404 a second conversion anyway; the point is that CallBridge never sends one.
    call.expect(sent.size() == 1, "CallBridge sent Ringba exactly one conversion for the call (" + sent.size() + ")");
    money.reported(Money.Pattern.TRACKDRIVE_TO_RINGBA, inboundCallId, "", "42.00", true);

    String unconverted = ids.ringbaCallId();
    call.send("TrackDrive ($0)", webhook(unconverted, "0"));
    money.reported(Money.Pattern.TRACKDRIVE_TO_RINGBA, unconverted, "", "0", false);
    call.linked("Ringba inboundCallId " + inboundCallId + " ← conversion, revenue 42.00; " + unconverted
        + " ← $0 only: not converted");
  }
}
