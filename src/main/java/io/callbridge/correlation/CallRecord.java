package io.callbridge.correlation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything known about one call: whichever ids are known, the bid, when the call was first and
 * last seen, and for each id when and by which route it was first seen. Immutable: a link makes a
 * new record, so a reader on any event loop sees a consistent one.
 */
public final class CallRecord {
  /** When and by which route an id was first seen. */
  public record Sighting(String route, Instant at) {}

  // Indexed by IdKind.ordinal(); null where unknown.
  final String[] ids;
  final String[] routes;
  final long[] seenAt;
  final String subdomain;
  final double bidAmount;
  final long bidExpiresAtMs;
  final long firstSeenMs;
  final long lastSeenMs;

  CallRecord(String[] ids, String[] routes, long[] seenAt, String subdomain, double bidAmount, long bidExpiresAtMs,
      long firstSeenMs, long lastSeenMs) {
    this.ids = ids;
    this.routes = routes;
    this.seenAt = seenAt;
    this.subdomain = subdomain;
    this.bidAmount = bidAmount;
    this.bidExpiresAtMs = bidExpiresAtMs;
    this.firstSeenMs = firstSeenMs;
    this.lastSeenMs = lastSeenMs;
  }

  static CallRecord of(CallLink link, String route, long nowMs) {
    int n = IdKind.ALL.length;
    String[] ids = link.ids.clone();
    String[] routes = new String[n];
    long[] seen = new long[n];
    for (int i = 0; i < n; i++) {
      if (ids[i] != null) {
        routes[i] = route;
        seen[i] = nowMs;
      }
    }
    boolean bid = ids[IdKind.BID_ID.ordinal()] != null;
    return new CallRecord(ids, routes, seen, ids[IdKind.CALL_UUID.ordinal()] == null ? null : link.subdomain,
        bid ? link.bidAmount : Double.NaN, bid ? link.bidExpiresAtMs : 0, nowMs, nowMs);
  }

  /**
   * The two records as one. {@code a} is the record already known (or the older one): its ids win,
   * so a known id is never replaced; {@code b} fills the gaps. The bid is the exception: a newer bid
   * replaces an older one, with its amount and expiry. An id seen by both keeps its first sighting.
   */
  static CallRecord merge(CallRecord a, CallRecord b) {
    int n = IdKind.ALL.length;
    String[] ids = new String[n];
    String[] routes = new String[n];
    long[] seen = new long[n];
    int bidIdx = IdKind.BID_ID.ordinal();
    for (int i = 0; i < n; i++) {
      String av = a.ids[i];
      String bv = b.ids[i];
      boolean takeB = i == bidIdx ? bv != null : av == null && bv != null;
      CallRecord src = takeB ? b : a;
      ids[i] = src.ids[i];
      routes[i] = src.routes[i];
      seen[i] = src.seenAt[i];
      if (av != null && av.equals(bv) && b.seenAt[i] < a.seenAt[i]) {
        routes[i] = b.routes[i];
        seen[i] = b.seenAt[i];
      }
    }
    boolean bidFromB = b.ids[bidIdx] != null;
    return new CallRecord(ids, routes, seen,
        a.subdomain != null && a.ids[0] != null ? a.subdomain : (b.subdomain != null ? b.subdomain : a.subdomain),
        bidFromB ? b.bidAmount : a.bidAmount, bidFromB ? b.bidExpiresAtMs : a.bidExpiresAtMs,
        Math.min(a.firstSeenMs, b.firstSeenMs), Math.max(a.lastSeenMs, b.lastSeenMs));
  }

  boolean has(IdKind kind) {
    return ids[kind.ordinal()] != null;
  }

  boolean matches(IdKind kind, String value) {
    return value.equals(ids[kind.ordinal()]);
  }

  boolean hasPlatformId() {
    for (IdKind k : IdKind.PLATFORM) {
      if (ids[k.ordinal()] != null) {
        return true;
      }
    }
    return false;
  }

  public Optional<String> id(IdKind kind) {
    return Optional.ofNullable(ids[kind.ordinal()]);
  }

  public Optional<String> callUuid() {
    return id(IdKind.CALL_UUID);
  }

  /** The TrackDrive company subdomain of {@link #callUuid()}. */
  public Optional<String> subdomain() {
    return Optional.ofNullable(subdomain);
  }

  public Optional<String> inboundCallId() {
    return id(IdKind.INBOUND_CALL_ID);
  }

  public Optional<String> bidId() {
    return id(IdKind.BID_ID);
  }

  public OptionalDouble bidAmount() {
    return Double.isNaN(bidAmount) ? OptionalDouble.empty() : OptionalDouble.of(bidAmount);
  }

  public Optional<Instant> bidExpiresAt() {
    return bidExpiresAtMs == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(bidExpiresAtMs));
  }

  public Optional<String> pingId() {
    return id(IdKind.PING_ID);
  }

  public Optional<String> leadId() {
    return id(IdKind.LEAD_ID);
  }

  public Optional<String> callerId() {
    return id(IdKind.CALLER_ID);
  }

  public Instant firstSeen() {
    return Instant.ofEpochMilli(firstSeenMs);
  }

  public Instant lastSeen() {
    return Instant.ofEpochMilli(lastSeenMs);
  }

  /** When and by which route {@code kind}'s id was first seen; empty when the id is unknown. */
  public Optional<Sighting> sighting(IdKind kind) {
    int i = kind.ordinal();
    if (ids[i] == null) {
      return Optional.empty();
    }
    return Optional.of(new Sighting(routes[i] == null ? "unknown" : routes[i], Instant.ofEpochMilli(seenAt[i])));
  }

  /** The admin view: every id with when and by which route it was seen. */
  public JsonObject toJson() {
    JsonObject idsJson = new JsonObject();
    for (IdKind k : IdKind.ALL) {
      int i = k.ordinal();
      if (ids[i] == null) {
        continue;
      }
      JsonObject one = new JsonObject().put("value", ids[i])
          .put("route", routes[i] == null ? "unknown" : routes[i])
          .put("seenAt", Instant.ofEpochMilli(seenAt[i]).toString());
      if (k == IdKind.CALL_UUID && subdomain != null) {
        one.put("subdomain", subdomain);
      }
      if (k == IdKind.BID_ID) {
        if (!Double.isNaN(bidAmount)) {
          one.put("bidAmount", bidAmount);
        }
        if (bidExpiresAtMs != 0) {
          one.put("expiresAt", Instant.ofEpochMilli(bidExpiresAtMs).toString());
        }
      }
      idsJson.put(k.wireName(), one);
    }
    return new JsonObject().put("ids", idsJson)
        .put("firstSeen", firstSeen().toString())
        .put("lastSeen", lastSeen().toString());
  }

  /** The per-kind sightings as stored in {@code call_link.seen}: {@code {"call_uuid":["td-ping",1732...]}}. */
  String seenJson() {
    StringBuilder sb = new StringBuilder(96).append('{');
    boolean first = true;
    for (IdKind k : IdKind.ALL) {
      int i = k.ordinal();
      if (ids[i] == null) {
        continue;
      }
      if (!first) {
        sb.append(',');
      }
      first = false;
      String route = routes[i] == null ? "unknown" : routes[i];
      sb.append('"').append(k.wireName()).append("\":[");
      if (route.indexOf('"') >= 0 || route.indexOf('\\') >= 0 || route.chars().anyMatch(c -> c < 0x20)) {
        sb.append(new JsonArray().add(route).encode(), 1, new JsonArray().add(route).encode().length() - 1);
      } else {
        sb.append('"').append(route).append('"');
      }
      sb.append(',').append(seenAt[i]).append(']');
    }
    return sb.append('}').toString();
  }

  @Override
  public String toString() {
    return "CallRecord" + toJson().encode();
  }
}
