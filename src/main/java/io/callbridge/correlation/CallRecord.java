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

  private static final int N = IdKind.ALL.length;
  private static final int ROUTE_NULL = 0;
  private static final int ROUTE_INLINE = 1;

  /**
   * The ids, packed (the record is what the cache holds, one per call, so its size is the cache's):
   * first a byte with bit {@code ordinal} set for each known id, then for each known id in
   * {@link IdKind} order a header byte (kind ordinal, {@link IdCodec} encoding), the route that
   * first saw it (an interned index, see {@link Names}), when (ms after {@link #firstSeenMs},
   * zigzag varint), then the value in its {@link IdCodec} form.
   */
  private final byte[] packed;
  final String subdomain;
  final double bidAmount;
  final long bidExpiresAtMs;
  final long firstSeenMs;
  final long lastSeenMs;

  /**
   * When the cache last stored this record (seconds on the cache's own scale); set once by the
   * cache before it publishes the record, which is never stored twice. Kept here, not beside the
   * entry, so a lookup reads one object less.
   */
  int cachedAt;

  /**
   * The queued write that carries this record while it waits for a batch (see {@link WriteBehind});
   * null when there is none, or once a batch took it.
   */
  volatile WriteBehind.Pending queued;

  /** The record of a call this instance last wrote to PostgreSQL, shared by the call's successive records. */
  static final class Written {
    volatile CallRecord last;
  }

  /** Null until the call's first write or link again (see {@link WriteBehind#join}). */
  volatile Written written;

  private CallRecord(byte[] packed, String subdomain, double bidAmount, long bidExpiresAtMs,
      long firstSeenMs, long lastSeenMs) {
    this.packed = packed;
    this.subdomain = subdomain;
    this.bidAmount = bidAmount;
    this.bidExpiresAtMs = bidExpiresAtMs;
    this.firstSeenMs = firstSeenMs;
    this.lastSeenMs = lastSeenMs;
  }

  /**
   * A record from arrays indexed by {@code IdKind.ordinal()}, null where unknown. The ids are packed
   * before the record is allocated, so the two sit side by side in memory (one cache miss, not two).
   */
  static CallRecord pack(String[] ids, String[] routes, long[] seenAt, String subdomain, double bidAmount,
      long bidExpiresAtMs, long firstSeenMs, long lastSeenMs) {
    IdCodec.Out out = new IdCodec.Out();
    out.put(0);
    int mask = 0;
    String lastRoute = null;
    int r = -1;
    for (int i = 0; i < N; i++) {
      String v = ids[i];
      if (v == null) {
        continue;
      }
      mask |= 1 << i;
      int header = out.len;
      out.put(i << 4);
      String route = routes[i];
      if (route != lastRoute) {
        // Usually one route for every id of a record: looked up once.
        r = route == null ? -1 : Names.route(route);
        lastRoute = route;
      }
      if (route == null) {
        out.varint(ROUTE_NULL);
      } else if (r < 0) {
        out.varint(ROUTE_INLINE);
        out.varint(route.length());
        for (int c = 0; c < route.length(); c++) {
          out.put(route.charAt(c) >>> 8);
          out.put(route.charAt(c));
        }
      } else {
        out.varint(r + 2L);
      }
      out.zigzag(seenAt[i] - firstSeenMs);
      IdCodec.encode(v, out, header);
    }
    out.buf[0] = (byte) mask;
    return new CallRecord(out.toArray(), Names.subdomain(subdomain), bidAmount, bidExpiresAtMs,
        firstSeenMs, lastSeenMs);
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
    return pack(ids, routes, seen, ids[IdKind.CALL_UUID.ordinal()] == null ? null : link.subdomain,
        bid ? link.bidAmount : Double.NaN, bid ? link.bidExpiresAtMs : 0, nowMs, nowMs);
  }

  /**
   * {@code known} seen again by {@code link} at {@code nowMs} when the link adds nothing to it:
   * exactly what {@code merge(known, of(link, anyRoute, nowMs))} answers, but sharing known's packed
   * ids instead of decoding and re-packing them. Null when the merge would change more than when the
   * call was last seen: an id known lacks, another bid sighted no earlier than known's (or the same
   * bid with another amount or expiry), a subdomain where known has none, a sighting earlier than
   * known's. The route plays no part: every id of the link is known already and keeps its first
   * sighting.
   */
  static CallRecord seenAgain(CallRecord known, CallLink link, long nowMs) {
    if (nowMs < known.firstSeenMs) {
      return null;
    }
    int bid = IdKind.BID_ID.ordinal();
    boolean sameBid = false;
    for (int i = 0; i < N; i++) {
      String v = link.ids[i];
      if (v == null) {
        continue;
      }
      int p = known.entry(i);
      if (p < 0) {
        return null;
      }
      // The same id keeps known's sighting unless the link's is earlier; another value is ignored (a
      // known id is never replaced), except another bid sighted no earlier, which replaces known's.
      boolean same = IdCodec.matches(known.packed, known.valueStart(p), known.packed[p] & 0xF, v);
      if (same ? known.seenAt(i) > nowMs : i == bid && nowMs >= known.seenAt(i)) {
        return null;
      }
      sameBid |= same && i == bid;
    }
    // merge keeps a known subdomain; a link's own one (only with its call_uuid) fills a gap.
    if (link.ids[IdKind.CALL_UUID.ordinal()] != null && link.subdomain != null && known.subdomain == null) {
      return null;
    }
    // merge takes the amount and expiry of the link's bid, even for the same bid id.
    if (sameBid && (Double.compare(link.bidAmount, known.bidAmount) != 0
        || link.bidExpiresAtMs != known.bidExpiresAtMs)) {
      return null;
    }
    return new CallRecord(known.packed, known.subdomain, known.bidAmount, known.bidExpiresAtMs, known.firstSeenMs,
        Math.max(known.lastSeenMs, nowMs));
  }

  /**
   * The two records as one. {@code a} is the record already known (or the older one): its ids win,
   * so a known id is never replaced; {@code b} fills the gaps. The bid is the exception: the bid
   * sighted last wins, with its amount and expiry, whichever record brings it (a link brings the
   * bid it just saw; a row read back from PostgreSQL may bring an older one than the cache holds).
   * On a tie, and for the same bid id, {@code b}'s amount and expiry. An id seen by both keeps its
   * first sighting.
   */
  /** The same ids, sightings, subdomain, bid and first sighting as {@code o}: only when last seen may differ. */
  boolean sameButLastSeen(CallRecord o) {
    return (packed == o.packed || java.util.Arrays.equals(packed, o.packed)) && firstSeenMs == o.firstSeenMs
        && java.util.Objects.equals(subdomain, o.subdomain) && Double.compare(bidAmount, o.bidAmount) == 0
        && bidExpiresAtMs == o.bidExpiresAtMs;
  }

  static CallRecord merge(CallRecord a, CallRecord b) {
    int n = IdKind.ALL.length;
    String[] aIds = a.ids();
    String[] bIds = b.ids();
    String[] ids = new String[n];
    String[] routes = new String[n];
    long[] seen = new long[n];
    int bidIdx = IdKind.BID_ID.ordinal();
    String aBid = aIds[bidIdx];
    String bBid = bIds[bidIdx];
    boolean bidFromB = bBid != null && (aBid == null || aBid.equals(bBid) || b.seenAt(bidIdx) >= a.seenAt(bidIdx));
    for (int i = 0; i < n; i++) {
      String av = aIds[i];
      String bv = bIds[i];
      boolean takeB = i == bidIdx ? bidFromB : av == null && bv != null;
      ids[i] = takeB ? bv : av;
      if (ids[i] == null) {
        continue;
      }
      // The sighting comes with the id, except that an id both know keeps the earlier one (a's on a tie).
      CallRecord src = av != null && av.equals(bv) ? (b.seenAt(i) < a.seenAt(i) ? b : a) : takeB ? b : a;
      routes[i] = src.route(i);
      seen[i] = src.seenAt(i);
    }
    return pack(ids, routes, seen,
        a.subdomain != null && aIds[0] != null ? a.subdomain : (b.subdomain != null ? b.subdomain : a.subdomain),
        bidFromB ? b.bidAmount : a.bidAmount, bidFromB ? b.bidExpiresAtMs : a.bidExpiresAtMs,
        Math.min(a.firstSeenMs, b.firstSeenMs), Math.max(a.lastSeenMs, b.lastSeenMs));
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the packed ids.

  /** Where kind {@code i}'s entry starts in {@link #packed}; -1 when the id is unknown. */
  private int entry(int i) {
    if ((packed[0] & (1 << i)) == 0) {
      return -1;
    }
    int p = 1;
    while (true) {
      int header = packed[p] & 0xFF;
      if (header >>> 4 == i) {
        return p;
      }
      p = IdCodec.skipValue(packed, valueStart(p), header & 0xF);
    }
  }

  /** Position of the value of the entry at {@code p}, past its route and sighting time. */
  private int valueStart(int p) {
    p++;
    if ((packed[p] & 0xFF) == ROUTE_INLINE) {
      int[] pos = {p + 1};
      int len = (int) IdCodec.readVarint(packed, pos);
      p = pos[0] + 2 * len;
    } else {
      p = IdCodec.skipVarint(packed, p);
    }
    return IdCodec.skipVarint(packed, p);
  }

  /** Kind {@code i}'s id, decoded; null when unknown. */
  String id(int i) {
    int p = entry(i);
    return p < 0 ? null : IdCodec.decode(packed, valueStart(p), packed[p] & 0xF);
  }

  /**
   * The index hash of the record's {@code kind} id, {@code IdCodec.hash(kind, id)}, decoded into
   * {@code scratch} (when long enough) rather than into a String. The id must be known.
   */
  long hash(IdKind kind, char[] scratch) {
    int p = entry(kind.ordinal());
    int v = valueStart(p);
    int enc = packed[p] & 0xF;
    int n = IdCodec.length(packed, v, enc);
    char[] chars = n <= scratch.length ? scratch : new char[n];
    return IdCodec.hash(kind, chars, IdCodec.decode(packed, v, enc, chars));
  }

  /** Every id, indexed by {@code IdKind.ordinal()}, null where unknown. */
  String[] ids() {
    String[] ids = new String[N];
    int p = 1;
    while (p < packed.length) {
      int header = packed[p] & 0xFF;
      int v = valueStart(p);
      ids[header >>> 4] = IdCodec.decode(packed, v, header & 0xF);
      p = IdCodec.skipValue(packed, v, header & 0xF);
    }
    return ids;
  }

  /** The route that first saw kind {@code i}'s id (null when not recorded or the id is unknown). */
  String route(int i) {
    int p = entry(i);
    if (p < 0) {
      return null;
    }
    int[] pos = {p + 1};
    long r = IdCodec.readVarint(packed, pos);
    if (r == ROUTE_NULL) {
      return null;
    }
    if (r == ROUTE_INLINE) {
      int len = (int) IdCodec.readVarint(packed, pos);
      char[] chars = new char[len];
      for (int c = 0; c < len; c++) {
        chars[c] = (char) (((packed[pos[0] + 2 * c] & 0xFF) << 8) | (packed[pos[0] + 2 * c + 1] & 0xFF));
      }
      return new String(chars);
    }
    return Names.route((int) (r - 2));
  }

  /** When kind {@code i}'s id was first seen (epoch ms); 0 when unknown. */
  long seenAt(int i) {
    int p = entry(i);
    if (p < 0) {
      return 0;
    }
    p++;
    int[] pos = {p};
    if ((packed[p] & 0xFF) == ROUTE_INLINE) {
      pos[0] = p + 1;
      int len = (int) IdCodec.readVarint(packed, pos);
      pos[0] += 2 * len;
    } else {
      pos[0] = IdCodec.skipVarint(packed, p);
    }
    return firstSeenMs + IdCodec.readZigzag(packed, pos);
  }

  boolean has(IdKind kind) {
    return (packed[0] & (1 << kind.ordinal())) != 0;
  }

  /** Whether the record's {@code kind} id is {@code value}; allocates nothing (the cache's hot path). */
  boolean matches(IdKind kind, String value) {
    int p = entry(kind.ordinal());
    return p >= 0 && IdCodec.matches(packed, valueStart(p), packed[p] & 0xF, value);
  }

  boolean hasPlatformId() {
    return (packed[0] & ~(1 << IdKind.CALLER_ID.ordinal())) != 0;
  }

  public Optional<String> id(IdKind kind) {
    return Optional.ofNullable(id(kind.ordinal()));
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
    if (!has(kind)) {
      return Optional.empty();
    }
    String route = route(i);
    return Optional.of(new Sighting(route == null ? "unknown" : route, Instant.ofEpochMilli(seenAt(i))));
  }

  /** The admin view: every id with when and by which route it was seen. */
  public JsonObject toJson() {
    JsonObject idsJson = new JsonObject();
    String[] ids = ids();
    for (IdKind k : IdKind.ALL) {
      int i = k.ordinal();
      if (ids[i] == null) {
        continue;
      }
      String route = route(i);
      JsonObject one = new JsonObject().put("value", ids[i])
          .put("route", route == null ? "unknown" : route)
          .put("seenAt", Instant.ofEpochMilli(seenAt(i)).toString());
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
      if (!has(k)) {
        continue;
      }
      if (!first) {
        sb.append(',');
      }
      first = false;
      String route = route(i);
      route = route == null ? "unknown" : route;
      sb.append('"').append(k.wireName()).append("\":[");
      if (needsEscaping(route)) {
        sb.append(new JsonArray().add(route).encode(), 1, new JsonArray().add(route).encode().length() - 1);
      } else {
        sb.append('"').append(route).append('"');
      }
      sb.append(',').append(seenAt(i)).append(']');
    }
    return sb.append('}').toString();
  }

  private static boolean needsEscaping(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "CallRecord" + toJson().encode();
  }
}
