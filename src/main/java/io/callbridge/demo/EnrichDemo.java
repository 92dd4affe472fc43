package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** enrich: TrackDrive's pre-dial webhook → Ringba IDE (sync mode: answers after the fan-out). */
final class EnrichDemo implements FlowDemo {
  private final DemoIds ids;

  EnrichDemo(DemoIds ids) {
    this.ids = ids;
  }

  @Override public String flow() { return "enrich"; }

  @Override public String route() { return "td-enrich"; }

  @Override public String story() { return "TrackDrive, before dialing the buyer, has CallBridge enrich Ringba"; }

  @Override
  public void run(DemoCall call) throws Exception {
    String uuid = ids.trackDriveCallUuid();
    String caller = ids.callerId();
    Map<String, Object> in = DemoIds.trackDriveCall(uuid, caller);
    in.put("state", "IL");
    DemoCall.Answer answer = call.send("TrackDrive", in);
    List<JsonObject> ide = call.outbound("/enrich/");
    call.show(ide);
    call.expect(answer.ok(), "TrackDrive got a 2xx answer (" + answer.status() + ")");
    JsonObject sent = ide.stream().filter(e -> uuid.equals(DemoCall.query(e, "trackdrive_call_uuid"))).findFirst()
        .orElse(null);
    if (call.expect(sent != null, "Ringba IDE received the enrichment carrying trackdrive_call_uuid " + uuid)) {
      call.expect(caller.equals(DemoCall.query(sent, "callerid")), "callerid is the caller in E.164 (" + caller + ")");
      call.expect(Integer.valueOf(200).equals(sent.getInteger("status")), "Ringba accepted it (200)");
    }
    call.linked("TrackDrive call_uuid " + uuid + " (demo) ↔ caller id " + caller);
  }
}
