package io.callbridge.demo;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh ids per demo run: postbacks are idempotent in PostgreSQL across runs, so a second run
 * with the same ids would only see duplicates.
 */
final class DemoIds {
  private final String tag = Long.toString(System.currentTimeMillis(), 36).toUpperCase();
  private int n;

  /** A TrackDrive call uuid. */
  String trackDriveCallUuid() {
    return "TD-DEMO-" + tag + "-" + (++n);
  }

  /** A Ringba inbound call id (Ringba's look: RGB + hex; conf/sim.yaml knows ids of this shape). */
  String ringbaCallId() {
    return "RGB" + tag + String.format("%08X", ThreadLocalRandom.current().nextInt()) + (++n);
  }

  /** The fields TrackDrive's webhook and PING buyer send for one call (the demo routes read these). */
  static java.util.Map<String, Object> trackDriveCall(String callUuid, String callerId) {
    java.util.Map<String, Object> in = new java.util.LinkedHashMap<>();
    in.put("caller_id", callerId);
    in.put("call_uuid", callUuid);
    in.put("subdomain", "demo");
    in.put("zip", "60601");
    return in;
  }

  /** A valid North American caller id in the 555 area (exchange 200-999: NANP exchanges never start with 0 or 1). */
  String callerId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("+1555%d%06d", 2 + r.nextInt(8), r.nextInt(1_000_000));
  }
}
