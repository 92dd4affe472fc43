package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** postback, pattern 2: TrackDrive's conversion webhook with the Ringba id → Ringba incoming webhook, once per call. */
final class ConversionDemo implements FlowDemo {
  private final DemoIds ids;

  ConversionDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "postback"; }

  @Override public String route() { return "td-conversion"; }

  @Override public String story() { return "TrackDrive reports a conversion for a Ringba call; Ringba takes one per call"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String inboundCallId = ids.ringbaCallId();
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("ringba_call_uuid", inboundCallId);
    in.put("revenue", "42.00");
    DemoCall.Answer first = call.send("TrackDrive", in);
    List<JsonObject> hooks = call.awaitOutbound("/hook/", e -> inboundCallId.equals(DemoCall.query(e, "call_id")), 1,
        Duration.ofSeconds(5));
    call.show(hooks);
    call.expect(first.ok(), "TrackDrive got a 2xx answer (" + first.status() + ")");
    call.expect(!hooks.isEmpty() && Integer.valueOf(200).equals(hooks.get(0).getInteger("status")),
        "Ringba's webhook converted " + inboundCallId + " (200)");
    DemoCall.Answer again = call.send("TrackDrive (again)", in);
    Thread.sleep(500);
    List<JsonObject> sent = call.outbound("/hook/").stream()
        .filter(e -> inboundCallId.equals(DemoCall.query(e, "call_id"))).toList();
    call.show(sent.subList(Math.min(hooks.size(), sent.size()), sent.size()));
    call.expect(again.ok(), "the duplicate got a 2xx answer (" + again.status() + ")");
    // Ringba would 404 a second conversion anyway; the point is that CallBridge never sends one.
    call.expect(sent.size() == 1, "CallBridge sent Ringba exactly one conversion for the call (" + sent.size() + ")");
    call.linked("Ringba inboundCallId " + inboundCallId + " ← conversion, revenue 42.00");
  }
}
