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

  /** A caller id in the 555 range. */
  String callerId() {
    return String.format("+1555%07d", ThreadLocalRandom.current().nextInt(10_000_000));
  }
}
