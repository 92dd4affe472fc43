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
    long converted = call.outbound("/hook/").stream()
        .filter(e -> inboundCallId.equals(DemoCall.query(e, "call_id")))
        .filter(e -> Integer.valueOf(200).equals(e.getInteger("status"))).count();
    call.expect(again.ok(), "the duplicate got a 2xx answer (" + again.status() + ")");
    call.expect(converted == 1, "Ringba converted the call exactly once (" + converted + ")");
    call.linked("Ringba inboundCallId " + inboundCallId + " ← conversion, revenue 42.00");
  }
}
