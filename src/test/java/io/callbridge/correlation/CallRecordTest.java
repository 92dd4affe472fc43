package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
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
}
