package io.callbridge.load;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Feeders of calls as the platforms describe them: varied US caller ids (real area codes, valid
 * exchanges), geography tags (zip and state that belong together, sometimes missing), TrackDrive
 * call uuids on a few company subdomains, Ringba inbound call ids, payouts and revenues. A share
 * of callers call again (same number, same tags), as real traffic does: that is what the ping
 * shield and the repeat windows are for.
 */
final class Calls {
  private Calls() {}

  private static final String[] AREA_CODES = {"212", "213", "305", "312", "404", "415", "469", "480", "503",
      "512", "602", "617", "646", "702", "713", "718", "773", "786", "804", "813", "832", "858", "904", "919",
      "949", "954", "972", "980"};
  /** zip + state pairs that belong together. */
  private static final String[][] PLACES = {{"10001", "NY"}, {"90210", "CA"}, {"60601", "IL"}, {"77002", "TX"},
      {"33101", "FL"}, {"85001", "AZ"}, {"98101", "WA"}, {"30301", "GA"}, {"02108", "MA"}, {"80202", "CO"},
      {"97201", "OR"}, {"89101", "NV"}, {"28202", "NC"}, {"19103", "PA"}, {"48226", "MI"}};
  /** TrackDrive companies (subdomains); the simulator's default company answers for all of them. */
  private static final String[] SUBDOMAINS = {"demo", "demo", "demo", "acme-leads", "bluewave"};

  /** How many distinct callers make up the "calls again" pool. */
  private static final int REPEAT_POOL = 100;
  private static final List<Map<String, Object>> REPEATERS = Stream.generate(Calls::freshCaller).limit(REPEAT_POOL).toList();

  static String phone() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String npa = AREA_CODES[r.nextInt(AREA_CODES.length)];
    int nxx = 200 + r.nextInt(800);
    if (nxx % 100 == 11 || nxx == 555) {
      nxx = 234;
    }
    return "+1" + npa + nxx + String.format(Locale.ROOT, "%04d", r.nextInt(10_000));
  }

  private static Map<String, Object> freshCaller() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Map<String, Object> m = new HashMap<>();
    m.put("caller_id", phone());
    if (r.nextDouble() < 0.85) {
      String[] place = PLACES[r.nextInt(PLACES.length)];
      m.put("zip", place[0]);
      m.put("state", place[1]);
    } else {
      m.put("zip", "");
      m.put("state", "");
    }
    return m;
  }

  /** A caller: new most of the time, one of the pool of repeat callers with {@code repeatShare}. */
  static Map<String, Object> caller(double repeatShare) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Map<String, Object> m = new HashMap<>(r.nextDouble() < repeatShare ? REPEATERS.get(r.nextInt(REPEAT_POOL)) : freshCaller());
    return m;
  }

  static String tdCallUuid() {
    return UUID.randomUUID().toString();
  }

  /** Ringba's inbound call ids: "RGB" and 32 upper-case hex digits. */
  static String ringbaCallId() {
    return "RGB" + UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
  }

  static double money(double min, double max) {
    return Math.round(ThreadLocalRandom.current().nextDouble(min, max) * 100) / 100.0;
  }

  /** TrackDrive pre-dial webhook and PING buyer fields: caller_id, call_uuid, subdomain, zip, state. */
  static Iterator<Map<String, Object>> trackDriveCalls(double repeatShare) {
    return Stream.generate(() -> {
      Map<String, Object> m = caller(repeatShare);
      m.put("call_uuid", tdCallUuid());
      m.put("subdomain", SUBDOMAINS[ThreadLocalRandom.current().nextInt(SUBDOMAINS.length)]);
      return m;
    }).iterator();
  }

  /** Ringba pixel (Incoming/Connected) fields: caller_id, inbound_call_id. */
  static Iterator<Map<String, Object>> ringbaCalls() {
    return Stream.generate(() -> {
      Map<String, Object> m = caller(0.05);
      m.put("inbound_call_id", ringbaCallId());
      return m;
    }).iterator();
  }

  /**
   * Postbacks of both patterns: Ringba's payout pixel with the TrackDrive uuid (pattern 1) and
   * TrackDrive's conversion webhook with the Ringba id (pattern 2); {@code dup} marks the ones a
   * platform will send twice.
   */
  static Iterator<Map<String, Object>> postbacks(double duplicateShare) {
    return Stream.generate(() -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      Map<String, Object> m = new HashMap<>();
      m.put("trackdrive_call_uuid", tdCallUuid());
      m.put("trackdrive_subdomain", "demo");
      double revenue = money(8, 60);
      m.put("revenue", revenue);
      m.put("payout", Math.round(revenue * r.nextDouble(0.5, 0.9) * 100) / 100.0);
      m.put("converted", r.nextDouble() < 0.9 ? "true" : "false");
      m.put("ringba_call_uuid", ringbaCallId());
      m.put("dup", r.nextDouble() < duplicateShare);
      return m;
    }).iterator();
  }
}
