package io.callbridge.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the simulated platforms remember: Ringba's enrichment data (48 h), cached RTB bids,
 * conversions (one per call), TrackDrive's leads and call updates, and the ids one platform has
 * carried to the other (the "seen" set behind {@code knownCallIds: seen}). Every map is bounded.
 */
final class SimState {
  static final Duration ENRICH_TTL = Duration.ofHours(48);
  private static final int MAX = 100_000;

  record CachedBid(JsonObject bid, long expireEpochMs) {}

  private final Map<String, JsonObject> enrichments = bounded();
  private final Map<String, CachedBid> bids = bounded();
  private final Map<String, JsonObject> conversions = bounded();
  private final Map<String, JsonObject> leads = bounded();
  private final Map<String, JsonObject> calls = bounded();
  /** Ringba's call log (the reporting API's records): from conversions, and seeded by tests. */
  private final Map<String, JsonObject> ringbaCalls = bounded();
  private final Map<String, Boolean> seen = bounded();
  /** TrackDrive inbound pings by ping id (each buyer's, and the try-all one): what a post must match. */
  private final Map<String, JsonObject> pings = bounded();
  /** Calls Ringba's ring tree offered (POST /_sim/ring-tree/{id}), by Ringba call id: what was routed where. */
  private final Map<String, JsonObject> ringTreeCalls = bounded();
  private long leadSeq;

  synchronized void enrich(String callerId, String publisherNumberId, JsonObject values, Instant at) {
    enrichments.remove(callerId);
    enrichments.put(callerId, new JsonObject().put("callerid", callerId).put("publisherNumberId", publisherNumberId)
        .put("values", values).put("at", at.toString()).put("expiresAt", at.plus(ENRICH_TTL).toString()));
    values.forEach(e -> see(e.getValue()));
  }

  synchronized void ringTreeCall(JsonObject outcome) {
    String id = outcome.getString("inboundCallId", "");
    ringTreeCalls.put(id.isEmpty() ? "call-" + ringTreeCalls.size() : id, outcome.copy());
  }

  synchronized void ping(String pingId, JsonObject ping) {
    pings.put(pingId, ping);
  }

  synchronized JsonObject pingOf(String pingId) {
    return pings.get(pingId);
  }

  /** Marks every ping id of one ping as posted; false when one already was (a ping is posted once). */
  synchronized boolean post(JsonObject ping, String at) {
    if (ping.containsKey("posted_at")) {
      return false;
    }
    ping.put("posted_at", at);
    return true;
  }

  synchronized CachedBid cachedBid(String key, long nowMs) {
    CachedBid b = bids.get(key);
    if (b != null && b.expireEpochMs() <= nowMs) {
      bids.remove(key);
      return null;
    }
    return b;
  }

  synchronized void cacheBid(String key, JsonObject bid, long expireEpochMs) {
    bids.put(key, new CachedBid(bid.copy(), expireEpochMs));
  }

  /** Records the conversion unless the call already has one; false when it had. */
  synchronized boolean convert(String callId, JsonObject conversion) {
    if (conversions.containsKey(callId)) {
      return false;
    }
    conversions.put(callId, conversion);
    version++;
    JsonObject log = ringbaCalls.computeIfAbsent(callId, k -> new JsonObject().put("inboundCallId", callId)
        .put("callDt", Instant.parse(conversion.getString("at")).toEpochMilli()).put("payoutAmount", 0.0));
    log.put("hasConverted", true).put("conversionAmount", amount(conversion.getValue("revenue")));
    return true;
  }

  synchronized JsonObject lead(String subdomain, JsonObject lead) {
    long id = ++leadSeq;
    lead.put("id", id);
    leads.put(subdomain + "/" + id, lead);
    see(lead.getValue("data"));
    return lead;
  }

  synchronized JsonObject updateCall(String subdomain, String uuid, JsonObject update) {
    String key = subdomain + "/" + uuid;
    version++;
    JsonObject call = calls.computeIfAbsent(key, k -> new JsonObject().put("uuid", uuid).put("subdomain", subdomain)
        .put("created_at", update.getString("updated_at")).put("updates", 0));
    update.forEach(e -> call.put(e.getKey(), e.getValue()));
    call.put("updates", call.getInteger("updates") + 1);
    return call.copy();
  }

  /**
   * Calls a test puts on either platform as if they had happened there (some CallBridge never saw):
   * {@code {"trackdrive":[{subdomain, uuid, created_at, revenue, payout, buyer_converted,
   * offer_converted, ringba_call_uuid}], "ringba":[{inboundCallId, callDt, payoutAmount,
   * conversionAmount, hasConverted, trackdrive_call_uuid}]}}.
   */
  synchronized int seed(JsonObject calls) {
    version++;
    int n = 0;
    for (Object o : calls.getJsonArray("trackdrive", new JsonArray())) {
      JsonObject c = ((JsonObject) o).copy();
      this.calls.put(c.getString("subdomain", "demo") + "/" + c.getString("uuid"), c.put("updates", 0));
      n++;
    }
    for (Object o : calls.getJsonArray("ringba", new JsonArray())) {
      JsonObject c = ((JsonObject) o).copy();
      ringbaCalls.put(c.getString("inboundCallId"), c);
      n++;
    }
    return n;
  }

  /** One page of a reporting API's listing, copied, and how many the whole listing has. */
  record Page(java.util.List<JsonObject> items, int total) {}

  /**
   * The last listing asked for, kept until anything changes, so that reading a window of 100,000
   * calls page by page sorts it once, not once a page.
   */
  private record Listing(String key, long version, java.util.List<JsonObject> rows) {}

  private Listing listing;
  private long version;

  /** A company's calls created within [from, to), oldest first (TrackDrive's GET /api/v1/calls). */
  synchronized Page trackDriveCalls(String subdomain, Instant from, Instant to, int offset, int limit) {
    return page(listed("T " + subdomain + " " + from + " " + to, () -> calls.values().stream()
        .filter(c -> subdomain.equals(c.getString("subdomain")))
        .filter(c -> within(Instant.parse(c.getString("created_at", Instant.EPOCH.toString())), from, to))
        .sorted(java.util.Comparator.comparing((JsonObject c) -> c.getString("created_at", ""))
            .thenComparing(c -> c.getString("uuid")))
        .toList()), offset, limit);
  }

  /** Ringba's calls within [from, to), oldest first (POST /v2/{accountId}/calllogs). */
  synchronized Page ringbaCalls(Instant from, Instant to, int offset, int limit) {
    return page(listed("R " + from + " " + to, () -> ringbaCalls.values().stream()
        .filter(c -> within(Instant.ofEpochMilli(c.getLong("callDt", 0L)), from, to))
        .sorted(java.util.Comparator.comparing((JsonObject c) -> c.getLong("callDt", 0L))
            .thenComparing(c -> c.getString("inboundCallId")))
        .toList()), offset, limit);
  }

  private java.util.List<JsonObject> listed(String key, java.util.function.Supplier<java.util.List<JsonObject>> list) {
    if (listing == null || listing.version() != version || !listing.key().equals(key)) {
      listing = new Listing(key, version, list.get());
    }
    return listing.rows();
  }

  private static Page page(java.util.List<JsonObject> rows, int offset, int limit) {
    int start = Math.min(rows.size(), Math.max(0, offset));
    int end = (int) Math.min(rows.size(), (long) start + limit);
    return new Page(rows.subList(start, end).stream().map(JsonObject::copy).toList(), rows.size());
  }

  private static boolean within(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && t.isBefore(to);
  }

  private static double amount(Object v) {
    try {
      return v == null ? 0 : Double.parseDouble(String.valueOf(v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  synchronized boolean seen(String id) {
    return seen.containsKey(id);
  }

  synchronized void see(Object value) {
    if (value instanceof JsonObject o) {
      o.forEach(e -> see(e.getValue()));
    } else if (value instanceof JsonArray a) {
      a.forEach(this::see);
    } else if (value != null && !String.valueOf(value).isBlank()) {
      seen.put(String.valueOf(value).trim(), Boolean.TRUE);
    }
  }

  synchronized JsonObject snapshot() {
    return new JsonObject()
        .put("ringba", new JsonObject()
            .put("enrichments", new JsonObject(new LinkedHashMap<>(enrichments)).copy())
            .put("conversions", new JsonObject(new LinkedHashMap<>(conversions)).copy())
            .put("callLog", ringbaCalls.size())
            .put("cachedBids", bids.size())
            .put("ringTreeCalls", new JsonObject(new LinkedHashMap<>(ringTreeCalls)).copy()))
        .put("trackdrive", new JsonObject()
            .put("leads", new JsonObject(new LinkedHashMap<>(leads)).copy())
            .put("calls", new JsonObject(new LinkedHashMap<>(calls)).copy()));
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX;
      }
    };
  }
}
