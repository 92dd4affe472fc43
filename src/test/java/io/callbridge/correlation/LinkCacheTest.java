package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The compact cache without PostgreSQL: packed ids round-trip, the index finds exactly what it holds, bounds. */
class LinkCacheTest {
  static final long T0 = Instant.parse("2026-11-27T12:00:00Z").toEpochMilli();

  @Test
  void aRowReadBackWithAnOlderBidDoesNotReplaceTheNewerUnflushedOne() {
    LinkCache cache = new LinkCache(100, Duration.ofHours(48), Duration.ofHours(2), T0);
    Instant expiry = Instant.ofEpochMilli(T0 + 60_000);
    cache.link(CallLink.builder().callUuid("td-1", "acme").bid("RTB-new", 5.0, expiry).callerId("+15557779999").build(),
        "td-ping", T0 + 9);
    // What PostgreSQL still holds for the call: the bid it won before, sighted earlier.
    CallRecord stored = CallRecord.of(CallLink.builder().callUuid("td-1", "acme").bid("RTB-old", 1.0, expiry).build(),
        "td-ping", T0 + 1);
    CallRecord filled = cache.fill(stored, T0 + 10);
    assertThat(filled.bidId()).contains("RTB-new");
    assertThat(filled.bidAmount()).hasValue(5.0);
    assertThat(cache.get(IdKind.CALL_UUID, "td-1", T0 + 10).bidId()).contains("RTB-new");
    assertThat(cache.get(IdKind.BID_ID, "RTB-new", T0 + 10)).isNotNull();
  }

  @Test
  void everyIdShapeRoundTripsAndMatchesOnlyItself() {
    List<String> values = new ArrayList<>(List.of("5f0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
        "5F0C2B8E-1D2A-4C3B-9E8F-0A1B2C3D4E5F", "5f0C2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "RTB0123456789abcdef0123456789abcdef",
        "RGB0123456789ABCDEF0123456789ABCDEF", "RGB3B0c6f1d2e", "+15557779999", "+4930123456", "10000123", "0000123",
        "007", "1234567890123456789012345", "x", "lead-42", "ça-va", "通話-1", "deadbeef", "DEADBEEF", "abc", "12",
        "00000000-0000-0000-0000-000000000000", "a".repeat(256), "9".repeat(19), "+", "pre\u00ff1234abcd"));
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(40);
      String alphabet = random.nextBoolean() ? "0123456789" : random.nextBoolean() ? "0123456789abcdef" : "RTBG+-_.0123456789abcdefABCDEF";
      for (int j = 0; j < len; j++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      values.add(sb.toString());
    }
    for (String v : values) {
      for (IdKind kind : IdKind.ALL) {
        String[] ids = new String[IdKind.ALL.length];
        String[] routes = new String[IdKind.ALL.length];
        long[] seen = new long[IdKind.ALL.length];
        ids[IdKind.CALLER_ID.ordinal()] = "+15550001111";
        ids[kind.ordinal()] = v;
        routes[kind.ordinal()] = "route";
        seen[kind.ordinal()] = T0 + 5;
        CallRecord r = CallRecord.pack(ids, routes, seen, null, Double.NaN, 0, T0, T0);
        assertThat(r.id(kind)).as(kind + " " + v).contains(v);
        assertThat(r.matches(kind, v)).as(v).isTrue();
        assertThat(r.hash(kind, new char[IdKind.MAX_LENGTH])).as("index hash without the String " + v)
            .isEqualTo(IdCodec.hash(kind, v));
        assertThat(r.hash(kind, new char[4])).as(v).isEqualTo(IdCodec.hash(kind, v));
        assertThat(r.matches(kind, v + "0")).as(v).isFalse();
        assertThat(r.matches(kind, v.substring(0, v.length() - 1))).as(v).isFalse();
        String flipped = v.substring(0, v.length() - 1) + (char) (v.charAt(v.length() - 1) ^ 1);
        assertThat(r.matches(kind, flipped)).as(v).isFalse();
        if (kind != IdKind.CALLER_ID) {
          assertThat(r.sighting(kind).orElseThrow()).isEqualTo(new CallRecord.Sighting("route", Instant.ofEpochMilli(T0 + 5)));
        }
      }
    }
  }

  @Test
  void theIndexFindsEveryIdOfEveryCallAndNothingElse() {
    LinkCache cache = new LinkCache(1_000_000, Duration.ofHours(48), Duration.ofHours(2), T0);
    int n = 20_000;
    String[] uuids = new String[n];
    String[] bids = new String[n];
    for (int i = 0; i < n; i++) {
      uuids[i] = UUID.randomUUID().toString();
      bids[i] = "RTB" + UUID.randomUUID().toString().replace("-", "");
      cache.link(CallLink.builder().callUuid(uuids[i], "acme").bid(bids[i], 1.5, Instant.ofEpochMilli(T0))
          .callerId("+1555" + (1_000_000 + i)).build(), "r" + (i % 3), T0 + i);
    }
    assertThat(cache.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      CallRecord r = cache.get(IdKind.BID_ID, bids[i], T0 + n);
      assertThat(r).isNotNull();
      assertThat(r.callUuid()).contains(uuids[i]);
      assertThat(cache.get(IdKind.CALL_UUID, uuids[i], T0 + n)).isSameAs(r);
      assertThat(cache.get(IdKind.CALLER_ID, "+1555" + (1_000_000 + i), T0 + n)).isSameAs(r);
      assertThat(cache.get(IdKind.INBOUND_CALL_ID, uuids[i], T0 + n)).isNull();
      assertThat(r.sighting(IdKind.CALL_UUID).orElseThrow().route()).isEqualTo("r" + (i % 3));
    }
    // Newer bids replace older ones: the old bid stops naming the call, the entry count stays.
    for (int i = 0; i < n; i += 2) {
      String newer = "RTB" + UUID.randomUUID().toString().replace("-", "");
      cache.link(CallLink.builder().callUuid(uuids[i]).bid(newer, 2.5, null).build(), "again", T0 + n);
      assertThat(cache.get(IdKind.BID_ID, bids[i], T0 + n)).isNull();
      assertThat(cache.get(IdKind.BID_ID, newer, T0 + n).callUuid()).contains(uuids[i]);
    }
    assertThat(cache.size()).isEqualTo(n);
  }

  @Test
  void mergingTwoCallsFreesOneEntryAndKeepsEveryId() {
    LinkCache cache = new LinkCache(100, Duration.ofHours(48), Duration.ofHours(2), T0);
    cache.link(CallLink.builder().callUuid("td-1").callerId("+15550000001").build(), "a", T0);
    cache.link(CallLink.builder().inboundCallId("RGB1").leadId("lead-1").build(), "b", T0 + 1);
    assertThat(cache.size()).isEqualTo(2);
    cache.link(CallLink.builder().inboundCallId("RGB1").callUuid("td-1").build(), "c", T0 + 2);
    assertThat(cache.size()).isEqualTo(1);
    CallRecord r = cache.get(IdKind.LEAD_ID, "lead-1", T0 + 3);
    assertThat(r.callUuid()).contains("td-1");
    for (String[] id : new String[][] {{"CALL_UUID", "td-1"}, {"INBOUND_CALL_ID", "RGB1"}, {"CALLER_ID", "+15550000001"}}) {
      assertThat(cache.get(IdKind.valueOf(id[0]), id[1], T0 + 3)).isSameAs(r);
    }
  }

  @Test
  void theCallWrittenLongestAgoIsEvictedWithAllItsIds() {
    LinkCache cache = new LinkCache(3, Duration.ofHours(48), Duration.ofHours(2), T0);
    for (int i = 0; i < 3; i++) {
      cache.link(CallLink.builder().callUuid("td-" + i).pingId("ping-" + i).callerId("+1555000000" + i).build(), "r", T0 + i);
    }
    // td-0 written again: td-1 is now the oldest write.
    cache.link(CallLink.builder().callUuid("td-0").build(), "r", T0 + 10);
    cache.link(CallLink.builder().callUuid("td-3").build(), "r", T0 + 11);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get(IdKind.CALL_UUID, "td-1", T0 + 12)).isNull();
    assertThat(cache.get(IdKind.PING_ID, "ping-1", T0 + 12)).isNull();
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000001", T0 + 12)).isNull();
    for (String kept : new String[] {"td-0", "td-2", "td-3"}) {
      assertThat(cache.get(IdKind.CALL_UUID, kept, T0 + 12)).as(kept).isNotNull();
    }
    assertThat(cache.get(IdKind.PING_ID, "ping-2", T0 + 12).callUuid()).contains("td-2");
  }

  static CallLink ping(String uuid, String bid, String caller) {
    return CallLink.builder().callUuid(new String(uuid), "acme").bid(new String(bid), 4.2, Instant.ofEpochMilli(T0 + 39_000))
        .callerId(caller).build();
  }

  @Test
  void aLinkThatAddsNothingKeepsThePackedIdsAndTheIndexAndCountsAsTheNewestWrite() {
    LinkCache cache = new LinkCache(2, Duration.ofHours(48), Duration.ofHours(2), T0);
    CallRecord first = cache.link(ping("td-a", "RTBa", "+15550000001"), "td-ping", T0);
    cache.link(ping("td-b", "RTBb", "+15550000002"), "td-ping", T0 + 1);
    CallRecord again = cache.link(ping("td-a", "RTBa", "+15550000001"), "td-ping-2", T0 + 2);
    assertThat(CallRecordTest.packed(again)).as("not re-packed").isSameAs(CallRecordTest.packed(first));
    assertThat(again.lastSeen()).isEqualTo(Instant.ofEpochMilli(T0 + 2));
    assertThat(again.firstSeen()).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(again.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("td-ping", Instant.ofEpochMilli(T0)));
    assertThat(CallRecordTest.describe(again)).isEqualTo(CallRecordTest.describe(first, T0 + 2));
    assertThat(cache.get(IdKind.CALL_UUID, "td-a", T0 + 2)).isSameAs(again);
    assertThat(cache.get(IdKind.BID_ID, "RTBa", T0 + 2)).isSameAs(again);
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000001", T0 + 2)).isSameAs(again);
    // td-a was written last: a third call evicts td-b.
    cache.link(ping("td-c", "RTBc", "+15550000003"), "td-ping", T0 + 3);
    assertThat(cache.get(IdKind.CALL_UUID, "td-b", T0 + 3)).isNull();
    assertThat(cache.get(IdKind.CALL_UUID, "td-a", T0 + 3)).isSameAs(again);

    // A link that adds something (a ping id) is merged and packed again.
    CallRecord more = cache.link(CallLink.builder().callUuid("td-a").pingId("ping-a").build(), "td-ping", T0 + 4);
    assertThat(CallRecordTest.packed(more)).isNotSameAs(CallRecordTest.packed(first));
    assertThat(more.pingId()).contains("ping-a");
    assertThat(cache.get(IdKind.PING_ID, "ping-a", T0 + 4)).isSameAs(more);
    assertThat(cache.get(IdKind.BID_ID, "RTBa", T0 + 4)).isSameAs(more);
    // So is another bid amount for the same bid.
    CallRecord rebid = cache.link(CallLink.builder().callUuid("td-a").bid("RTBa", 5.0, null).build(), "td-ping", T0 + 5);
    assertThat(CallRecordTest.packed(rebid)).isNotSameAs(CallRecordTest.packed(more));
    assertThat(rebid.bidAmount()).hasValue(5.0);
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void aCallLinkedAgainWithNothingNewTakesItsCallerIdBackFromALaterCall() {
    LinkCache cache = new LinkCache(100, Duration.ofHours(48), Duration.ofHours(2), T0);
    CallRecord a = cache.link(CallLink.builder().callUuid("td-a").callerId("+15550000009").build(), "r", T0);
    cache.link(CallLink.builder().callUuid("td-b").callerId("+15550000009").build(), "r", T0 + 1);
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000009", T0 + 1).callUuid()).contains("td-b");
    // Without the caller id in the link, and with another one (which the record ignores): both repoint it.
    CallRecord again = cache.link(CallLink.builder().callUuid("td-a").build(), "r", T0 + 2);
    assertThat(CallRecordTest.packed(again)).isSameAs(CallRecordTest.packed(a));
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000009", T0 + 2)).isSameAs(again);
    cache.link(CallLink.builder().callUuid("td-b").build(), "r", T0 + 3);
    CallRecord other = cache.link(CallLink.builder().callUuid("td-a").callerId("+15550000010").build(), "r", T0 + 4);
    assertThat(CallRecordTest.packed(other)).isSameAs(CallRecordTest.packed(a));
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000009", T0 + 4)).isSameAs(other);
    assertThat(cache.get(IdKind.CALLER_ID, "+15550000010", T0 + 4)).isNull();
  }

  @Test
  void callsOlderThanTheMaxAgeAreGoneAndTheirSlotsReused() {
    LinkCache cache = new LinkCache(1000, Duration.ofMinutes(10), Duration.ofHours(2), T0);
    cache.link(CallLink.builder().callUuid("td-old").build(), "r", T0);
    assertThat(cache.get(IdKind.CALL_UUID, "td-old", T0 + 599_000)).isNotNull();
    assertThat(cache.get(IdKind.CALL_UUID, "td-old", T0 + 601_000)).as("expired on read").isNull();
    // A new event for the expired call starts a new record (the expired one is not merged in).
    CallRecord again = cache.link(CallLink.builder().callUuid("td-old").build(), "r2", T0 + 601_000);
    assertThat(again.sighting(IdKind.CALL_UUID).orElseThrow().route()).isEqualTo("r2");
    assertThat(cache.size()).isEqualTo(1);
    for (int i = 0; i < 100; i++) {
      cache.link(CallLink.builder().callUuid("td-" + i).build(), "r", T0 + 601_000);
    }
    cache.link(CallLink.builder().callUuid("td-new").build(), "r", T0 + 1_300_000);
    assertThat(cache.size()).as("expired calls evicted a few per change").isEqualTo(102 - 16);
  }

  @Test
  void readersOnOtherThreadsNeverMissACachedCallWhileTheWriterReshapesTheIndex() throws Exception {
    LinkCache cache = new LinkCache(10_000_000, Duration.ofHours(48), Duration.ofHours(2), T0);
    int stable = 2_000;
    String[] uuids = new String[stable];
    for (int i = 0; i < stable; i++) {
      uuids[i] = UUID.randomUUID().toString();
      cache.link(CallLink.builder().callUuid(uuids[i]).build(), "r", T0);
    }
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong misses = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 1; t++) {
      Thread reader = new Thread(() -> {
        Random random = new Random();
        while (!stop.get()) {
          String uuid = uuids[random.nextInt(stable)];
          CallRecord r = cache.get(IdKind.CALL_UUID, uuid, T0 + 1);
          reads.incrementAndGet();
          if (r == null || !r.callUuid().orElseThrow().equals(uuid)) {
            misses.incrementAndGet();
          }
        }
      });
      reader.start();
      readers.add(reader);
    }
    // The writer grows every segment, replaces bids (slot removals shift clusters) and merges calls.
    for (int i = 0; i < 60_000; i++) {
      String uuid = "w-" + i;
      cache.link(CallLink.builder().callUuid(uuid).bid("RTB" + i + "a", 1, null).build(), "w", T0 + 1);
      cache.link(CallLink.builder().callUuid(uuid).bid("RTB" + i + "b", 2, null).build(), "w", T0 + 1);
      if (i % 2 == 1) {
        cache.link(CallLink.builder().inboundCallId("RGB" + i).build(), "w", T0 + 1);
        cache.link(CallLink.builder().inboundCallId("RGB" + i).callUuid("w-" + (i - 1)).build(), "w", T0 + 1);
      }
    }
    stop.set(true);
    for (Thread reader : readers) {
      reader.join();
    }
    assertThat(reads.get()).isPositive();
    assertThat(misses.get()).isZero();
    assertThat(cache.size()).isEqualTo(stable + 60_000);
    assertThat(cache.get(IdKind.BID_ID, "RTB7a", T0 + 1)).isNull();
    assertThat(cache.get(IdKind.INBOUND_CALL_ID, "RGB7", T0 + 1).bidId()).contains("RTB6b");
  }
}
