package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge rules of one record, without the cache or PostgreSQL. */
class CallRecordTest {
  static final long T0 = Instant.parse("2026-11-27T12:00:00Z").toEpochMilli();

  @Test
  void aBidSeenAgainKeepsItsFirstSightingAndANewerBidBringsItsOwn() {
    Instant expiry = Instant.ofEpochMilli(T0 + 39_000);
    CallRecord first = CallRecord.of(CallLink.builder().callUuid("td-1", "acme").bid("RTB1", 4.2, expiry).build(),
        "td-ping", T0);
    CallRecord again = CallRecord.merge(first,
        CallRecord.of(CallLink.builder().callUuid("td-1").bid("RTB1", 4.2, expiry).build(), "td-ping-2", T0 + 5));
    assertThat(again.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("td-ping", Instant.ofEpochMilli(T0)));
    assertThat(again.sighting(IdKind.CALL_UUID)).contains(new CallRecord.Sighting("td-ping", Instant.ofEpochMilli(T0)));
    assertThat(again.lastSeen()).isEqualTo(Instant.ofEpochMilli(T0 + 5));

    // An earlier sighting of the same bid (e.g. a row another instance wrote) wins, as for any id.
    CallRecord earlier = CallRecord.merge(first,
        CallRecord.of(CallLink.builder().bid("RTB1", 4.2, expiry).build(), "other", T0 - 1));
    assertThat(earlier.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("other", Instant.ofEpochMilli(T0 - 1)));

    CallRecord newer = CallRecord.merge(again,
        CallRecord.of(CallLink.builder().bid("RTB2", 5.0, expiry.plus(Duration.ofSeconds(30))).build(), "rebid", T0 + 9));
    assertThat(newer.bidId()).contains("RTB2");
    assertThat(newer.bidAmount()).hasValue(5.0);
    assertThat(newer.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("rebid", Instant.ofEpochMilli(T0 + 9)));
  }

  @Test
  void theBidSightedLastWinsWhicheverRecordBringsIt() {
    Instant expiry = Instant.ofEpochMilli(T0 + 60_000);
    CallRecord cached = CallRecord.of(CallLink.builder().callUuid("td-1", "acme").bid("RTB-new", 5.0, expiry).build(),
        "td-ping", T0 + 9);
    // A row read back from PostgreSQL (or another instance's view) with a bid sighted before the cached one.
    CallRecord older = CallRecord.of(CallLink.builder().callUuid("td-1").bid("RTB-old", 1.0, expiry.minusSeconds(30)).build(),
        "td-ping", T0 + 1);
    for (CallRecord r : List.of(CallRecord.merge(cached, older), CallRecord.merge(older, cached))) {
      assertThat(r.bidId()).contains("RTB-new");
      assertThat(r.bidAmount()).hasValue(5.0);
      assertThat(r.bidExpiresAt()).contains(expiry);
      assertThat(r.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("td-ping", Instant.ofEpochMilli(T0 + 9)));
      assertThat(r.sighting(IdKind.CALL_UUID).orElseThrow().at()).isEqualTo(Instant.ofEpochMilli(T0 + 1));
    }
    // A record without a bid keeps the other's.
    CallRecord none = CallRecord.of(CallLink.builder().callUuid("td-1").build(), "td-enrich", T0 + 20);
    assertThat(CallRecord.merge(cached, none).bidId()).contains("RTB-new");
    assertThat(CallRecord.merge(none, cached).bidAmount()).hasValue(5.0);
  }

  @Test
  void aLinkThatAddsNothingGivesWhatTheMergeGivesWithoutRepacking() {
    Instant e = Instant.ofEpochMilli(T0 + 39_000);
    String u = "5f0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f";
    String b = "RTB0123456789abcdef0123456789abcdef";
    String c = "+15557779999";
    String in = "RGB3B0c6f1d2e";
    List<CallRecord> known = new ArrayList<>();
    CallRecord ping = CallRecord.of(CallLink.builder().callUuid(u, "acme").bid(b, 4.2, e).callerId(c).build(), "td-ping", T0);
    known.add(ping);
    known.add(CallRecord.merge(ping, CallRecord.of(CallLink.builder().inboundCallId(in).callUuid(u).build(), "ringba", T0 + 5)));
    known.add(CallRecord.of(CallLink.builder().callUuid(u).callerId(c).build(), "td-enrich", T0));
    known.add(CallRecord.of(CallLink.builder().callerId(c).build(), "caller", T0));
    known.add(CallRecord.of(CallLink.builder().bid(b, Double.NaN, null).build(), "bid-only", T0));
    // As read from PostgreSQL: sightings need not lie between first and last seen, a route may be unknown.
    known.add(CallRecord.pack(new String[] {u, in, b, null, null, c}, new String[] {"td-ping", null, "td-ping", null, null, "x"},
        new long[] {T0, T0 + 100, T0 + 2, 0, 0, T0}, "acme", 4.2, e.toEpochMilli(), T0, T0 + 10));

    String[] uuids = {null, u, "6a0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"};
    String[] subdomains = {null, "acme", "other"};
    Object[][] bids = {null, {b, 4.2, e}, {b, 5.0, e}, {b, 4.2, e.plusSeconds(1)}, {b, Double.NaN, null},
        {"RTB1111111111abcdef0123456789abcdef", 4.2, e}};
    String[] callers = {null, c, "+15550001111"};
    String[] inbounds = {null, in, "RGBother"};
    String[] pings = {null, "ping-1"};
    long[] times = {T0 - 1, T0, T0 + 1, T0 + 5, T0 + 100, T0 + 1_000};
    int fast = 0;
    int slow = 0;
    for (CallRecord k : known) {
      for (String uuid : uuids) {
        for (String sub : subdomains) {
          for (Object[] bid : bids) {
            for (String caller : callers) {
              for (String inbound : inbounds) {
                for (String pingId : pings) {
                  CallLink.Builder lb = CallLink.builder().callUuid(uuid, sub).callerId(caller).inboundCallId(inbound)
                      .pingId(pingId);
                  if (bid != null) {
                    lb.bid((String) bid[0], (double) bid[1], (Instant) bid[2]);
                  }
                  CallLink link = lb.build();
                  if (link.isEmpty()) {
                    continue;
                  }
                  for (long now : times) {
                    CallRecord merged = CallRecord.merge(k, CallRecord.of(link, "again", now));
                    CallRecord again = CallRecord.seenAgain(k, link, now);
                    long at = now;
                    java.util.function.Supplier<String> where = () -> k + " + " + Arrays.toString(link.ids) + " " + sub
                        + " " + Arrays.toString(bid) + " at " + at;
                    boolean addsNothing = describe(merged).equals(describe(k, merged.lastSeenMs));
                    assertThat(again != null).as(where).isEqualTo(addsNothing);
                    if (again != null) {
                      fast++;
                      assertThat(describe(again)).as(where).isEqualTo(describe(merged));
                      assertThat(packed(again)).as("shares the packed ids").isSameAs(packed(k));
                    } else {
                      slow++;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    assertThat(fast).isGreaterThan(1_000);
    assertThat(slow).isGreaterThan(fast);
  }

  @Test
  void sightingsAsStoredEscapeRouteNamesOnlyWhenTheyNeedIt() {
    CallRecord r = CallRecord.of(CallLink.builder().callUuid("td-1").build(), "td-ping", T0);
    assertThat(r.seenJson()).isEqualTo("{\"call_uuid\":[\"td-ping\"," + T0 + "]}");
    for (String route : new String[] {"a\"b", "a\\b", "a\tb", "a\u0001b"}) {
      CallRecord odd = CallRecord.of(CallLink.builder().callUuid("td-1").build(), route, T0);
      assertThat(new io.vertx.core.json.JsonObject(odd.seenJson()).getJsonArray("call_uuid").getString(0)).isEqualTo(route);
    }
  }

  @Test
  void thePackedLayoutOfEveryIdShapeStaysAsItIs() {
    // mask, header (kind << 4 | encoding), route (00: none), sighting (zigzag varint, ms after first seen), value.
    String[] shapes = {
        "5f0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "0212000a5f0c2b8e1d2a4c3b9e8f0a1b2c3d4e5f",
        "5F0C2B8E-1D2A-4C3B-9E8F-0A1B2C3D4E5F", "0213000a5f0c2b8e1d2a4c3b9e8f0a1b2c3d4e5f",
        "5f0C2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "0214000a1835663043326238652d316432612d346333622d396538662d060a1b2c3d4e5f",
        "RTB0123456789abcdef0123456789abcdef", "0214000a03525442100123456789abcdef0123456789abcdef",
        "RGB0123456789ABCDEF0123456789ABCDEF", "0215000a03524742100123456789abcdef0123456789abcdef",
        "RGB3B0c6f1d2e", "0214000a055247423342040c6f1d2e",
        "+15557779999", "0216000a012b0b9fc4c3fa39",
        "0000123", "0216000a00077b",
        "007", "0216000a000307",
        "\u00e7a-va", "0210000a05e7612d7661",
        "\u901a\u8a71-1", "0211000a04901a8a71002d0031",
        "deadbeef", "0214000a0004deadbeef",
        "5f0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5g", "0210000a2435663063326238652d316432612d346333622d396538662d306131623263336434653567"};
    for (int i = 0; i < shapes.length; i += 2) {
      String[] ids = new String[IdKind.ALL.length];
      String[] routes = new String[IdKind.ALL.length];
      long[] seen = new long[IdKind.ALL.length];
      ids[IdKind.INBOUND_CALL_ID.ordinal()] = shapes[i];
      seen[IdKind.INBOUND_CALL_ID.ordinal()] = 5;
      CallRecord r = CallRecord.pack(ids, routes, seen, null, Double.NaN, 0, 0, 0);
      assertThat(java.util.HexFormat.of().formatHex(packed(r))).as(shapes[i]).isEqualTo(shapes[i + 1]);
    }
  }

  /** Everything a record holds: ids, sightings, subdomain, bid, first and last seen, and its packed bytes. */
  static String describe(CallRecord r) {
    return describe(r, r.lastSeenMs);
  }

  static String describe(CallRecord r, long lastSeenMs) {
    StringBuilder sb = new StringBuilder();
    for (IdKind k : IdKind.ALL) {
      sb.append(k).append('=').append(r.id(k).orElse(null)).append(' ').append(r.sighting(k).orElse(null))
          .append(" route=").append(r.route(k.ordinal())).append("; ");
    }
    return sb.append("subdomain=").append(r.subdomain).append(" bid=").append(Double.doubleToRawLongBits(r.bidAmount))
        .append('/').append(r.bidExpiresAtMs).append(" first=").append(r.firstSeenMs).append(" last=").append(lastSeenMs)
        .append(" packed=").append(Arrays.toString(packed(r))).toString();
  }

  static final java.lang.reflect.Field PACKED;

  static {
    try {
      PACKED = CallRecord.class.getDeclaredField("packed");
      PACKED.setAccessible(true);
    } catch (ReflectiveOperationException ex) {
      throw new ExceptionInInitializerError(ex);
    }
  }

  static byte[] packed(CallRecord r) {
    try {
      return (byte[]) PACKED.get(r);
    } catch (ReflectiveOperationException ex) {
      throw new AssertionError(ex);
    }
  }
}
