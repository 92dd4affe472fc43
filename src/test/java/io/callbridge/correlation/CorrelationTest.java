package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CorrelationConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.store.Database;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The correlation store against the real PostgreSQL: model, merge rules, write-behind, retention. */
@ExtendWith(VertxExtension.class)
class CorrelationTest {
  static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  static final AtomicInteger SEQ = new AtomicInteger();

  static PostgresConfig pg;
  static Vertx vertx;
  static Database db;

  TestClock clock;
  Metrics metrics;
  Correlation correlation;

  @BeforeAll
  static void database(Vertx injected) {
    pg = TestDb.freshSchema(CorrelationTest.class);
    Database.migrate(pg);
    vertx = injected; // vertx-junit5's, closed after the class
    db = Database.open(vertx, pg);
  }

  @AfterAll
  static void close() {
    db.close().await();
    TestDb.drop(pg);
  }

  static CorrelationConfig config() {
    return new CorrelationConfig(100_000, Duration.ofHours(48), Duration.ofHours(2), 500, Duration.ofMillis(20),
        10_000, Duration.ofDays(35), Duration.ofHours(1), 2, 5_000);
  }

  @BeforeEach
  void start() {
    clock = TestClock.at(T0);
    metrics = new Metrics();
    correlation = open(config());
  }

  Correlation open(CorrelationConfig cfg) {
    Correlation c = Correlation.create(vertx, db.pool(), cfg, metrics, clock);
    c.start().await();
    return c;
  }

  /** Closes the store and opens it again with {@code cfg} (and a fresh registry: gauges keep their first owner). */
  void reopen(CorrelationConfig cfg) {
    correlation.close().await();
    metrics = new Metrics();
    correlation = open(cfg);
  }

  /** No timed flush within a test (1 h) and batches larger than any test: only flush() writes. */
  static CorrelationConfig flushedByHand(int queueCapacity) {
    return new CorrelationConfig(100_000, Duration.ofHours(48), Duration.ofHours(2), 10_000, Duration.ofHours(1),
        queueCapacity, Duration.ofDays(35), Duration.ofHours(1), 2, 5_000);
  }

  @AfterEach
  void stop() {
    correlation.close().await();
  }

  static String id(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
  }

  CallRecord find(IdKind kind, String value) {
    return correlation.find(kind, value).await().orElseThrow(() -> new AssertionError("no record for " + kind + " " + value));
  }

  Optional<CallRecord> maybe(IdKind kind, String value) {
    return correlation.find(kind, value).await();
  }

  void flushAndForget() {
    correlation.flush().await();
    correlation.clearCache();
  }

  @Test
  void idsArrivingInAnyOrderAcrossThreeEventsEndInOneRecord() {
    int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int[] order : orders) {
      String uuid = id("td");
      String bid = id("RTB");
      String inbound = id("RGB");
      CallLink[] events = {
          CallLink.builder().bid(bid, 4.2, T0.plusSeconds(39)).callerId("+15550000001").build(),
          CallLink.builder().callUuid(uuid, "acme").bid(bid, 4.2, T0.plusSeconds(39)).build(),
          CallLink.builder().inboundCallId(inbound).callUuid(uuid).build()};
      // The third event only meets the first through the second: in some orders the two meet late.
      for (int i : order) {
        correlation.link("route-" + i, events[i]);
        clock.advance(Duration.ofSeconds(1));
      }
      for (boolean fromDb : new boolean[] {false, true}) {
        if (fromDb) {
          flushAndForget();
        }
        for (IdKind kind : List.of(IdKind.CALL_UUID, IdKind.BID_ID, IdKind.INBOUND_CALL_ID)) {
          String value = kind == IdKind.CALL_UUID ? uuid : kind == IdKind.BID_ID ? bid : inbound;
          CallRecord r = correlation.find(kind, value, IdKind.INBOUND_CALL_ID).await().orElseThrow();
          String where = "order " + java.util.Arrays.toString(order) + (fromDb ? " from PostgreSQL" : " cached") + " by " + kind;
          assertThat(r.callUuid()).as(where).contains(uuid);
          assertThat(r.subdomain()).as(where).contains("acme");
          assertThat(r.bidId()).as(where).contains(bid);
          assertThat(r.bidAmount()).as(where).hasValue(4.2);
          assertThat(r.inboundCallId()).as(where).contains(inbound);
          assertThat(r.callerId()).as(where).contains("+15550000001");
        }
      }
    }
  }

  @Test
  void twoRecordsMergeWhenAnEventCarriesIdsOfBoth() {
    String uuid = id("td");
    String inbound = id("RGB");
    String lead = id("lead");
    correlation.link("td-enrich", CallLink.builder().callUuid(uuid, "acme").callerId("+15550000002").build());
    clock.advance(Duration.ofSeconds(5));
    correlation.link("ringba-lead", CallLink.builder().inboundCallId(inbound).leadId(lead).build());
    assertThat(find(IdKind.LEAD_ID, lead).callUuid()).isEmpty();
    clock.advance(Duration.ofSeconds(5));
    // A Ringba pixel carrying both inboundCallId and trackdrive_call_uuid.
    correlation.link("ringba-payout", CallLink.builder().inboundCallId(inbound).callUuid(uuid).build());
    for (boolean fromDb : new boolean[] {false, true}) {
      if (fromDb) {
        flushAndForget();
      }
      CallRecord r = find(IdKind.LEAD_ID, lead);
      assertThat(r.callUuid()).contains(uuid);
      assertThat(r.inboundCallId()).contains(inbound);
      assertThat(r.callerId()).contains("+15550000002");
      assertThat(r.firstSeen()).isEqualTo(T0);
      assertThat(r.lastSeen()).isEqualTo(T0.plusSeconds(10));
      assertThat(r.sighting(IdKind.CALL_UUID).orElseThrow()).isEqualTo(new CallRecord.Sighting("td-enrich", T0));
      assertThat(r.sighting(IdKind.INBOUND_CALL_ID).orElseThrow())
          .isEqualTo(new CallRecord.Sighting("ringba-lead", T0.plusSeconds(5)));
      assertThat(find(IdKind.CALL_UUID, uuid).leadId()).contains(lead);
    }
  }

  @Test
  void aKnownIdIsNeverOverwrittenWithAnEmptyOne() {
    String uuid = id("td");
    String inbound = id("RGB");
    correlation.link("a", CallLink.builder().callUuid(uuid, "acme").inboundCallId(inbound).callerId("+15550000003").build());
    correlation.link("b", CallLink.builder().callUuid(uuid, "").inboundCallId("  ").callerId("").pingId(null).build());
    correlation.link("c", CallLink.builder().callUuid(uuid, null).inboundCallId(id("RGB-other")).build());
    for (boolean fromDb : new boolean[] {false, true}) {
      if (fromDb) {
        flushAndForget();
      }
      CallRecord r = find(IdKind.CALL_UUID, uuid);
      assertThat(r.subdomain()).contains("acme");
      assertThat(r.inboundCallId()).contains(inbound);
      assertThat(r.callerId()).contains("+15550000003");
      assertThat(r.sighting(IdKind.CALL_UUID).orElseThrow().route()).isEqualTo("a");
    }
    // A second writer (another instance) upserting an emptier row changes nothing either.
    Correlation other = open(config());
    try {
      other.link("d", CallLink.builder().callUuid(uuid).build());
      other.flush().await();
    } finally {
      other.close().await();
    }
    correlation.clearCache();
    CallRecord r = find(IdKind.CALL_UUID, uuid);
    assertThat(r.subdomain()).contains("acme");
    assertThat(r.inboundCallId()).contains(inbound);
  }

  @Test
  void aNewerBidReplacesTheOlderOne() {
    String uuid = id("td");
    correlation.link("ping", CallLink.builder().callUuid(uuid).bid(id("RTB"), 1.0, T0.plusSeconds(30)).build());
    String newer = id("RTB");
    correlation.link("ping", CallLink.builder().callUuid(uuid).bid(newer, 2.5, T0.plusSeconds(60)).build());
    flushAndForget();
    CallRecord r = find(IdKind.CALL_UUID, uuid);
    assertThat(r.bidId()).contains(newer);
    assertThat(r.bidAmount()).hasValue(2.5);
    assertThat(r.bidExpiresAt()).contains(T0.plusSeconds(60));
  }

  @Test
  void anOlderBidWrittenLastDoesNotReplaceTheNewerOne() {
    String uuid = id("td");
    String older = id("RTB");
    String newer = id("RTB");
    // Another instance saw the call's earlier bid, and its write reaches PostgreSQL last (a slow
    // instance, a retried batch): the bid sighted last must stay, with its amount and expiry.
    Correlation other = Correlation.create(vertx, db.pool(), config(), new Metrics(), TestClock.at(T0));
    other.start().await();
    try {
      other.link("ping-b", CallLink.builder().callUuid(uuid, "acme").bid(older, 1.0, T0.plusSeconds(30)).build());
      clock.advance(Duration.ofSeconds(5));
      correlation.link("ping-a", CallLink.builder().callUuid(uuid, "acme").bid(newer, 2.5, T0.plusSeconds(65)).build());
      flushAndForget();
      other.flush().await();
    } finally {
      other.close().await();
    }
    CallRecord r = find(IdKind.CALL_UUID, uuid);
    assertThat(r.bidId()).contains(newer);
    assertThat(r.bidAmount()).hasValue(2.5);
    assertThat(r.bidExpiresAt()).contains(T0.plusSeconds(65));
    assertThat(r.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("ping-a", T0.plusSeconds(5)));
    // The other way round (the newer write last) the newer bid replaces the older, with its sighting.
    String uuid2 = id("td");
    correlation.link("ping-b", CallLink.builder().callUuid(uuid2).bid(older + "-2", 1.0, T0.plusSeconds(30)).build());
    flushAndForget();
    clock.advance(Duration.ofSeconds(5));
    correlation.link("ping-a", CallLink.builder().callUuid(uuid2).bid(newer + "-2", 2.5, T0.plusSeconds(70)).build());
    flushAndForget();
    CallRecord r2 = find(IdKind.CALL_UUID, uuid2);
    assertThat(r2.bidId()).contains(newer + "-2");
    assertThat(r2.sighting(IdKind.BID_ID)).contains(new CallRecord.Sighting("ping-a", T0.plusSeconds(10)));
  }

  @Test
  void callerIdResolvesTheMostRecentCallWithinTheWindowAndNeverMergesPlatformRecords() {
    String first = id("td");
    String second = id("td");
    correlation.link("enrich", CallLink.builder().callUuid(first).callerId("+15557770001").build());
    assertThat(find(IdKind.CALLER_ID, "15557770001").callUuid()).contains(first);
    clock.advance(Duration.ofMinutes(30));
    correlation.link("enrich", CallLink.builder().callUuid(second).callerId("5557770001").build());
    assertThat(find(IdKind.CALLER_ID, "+15557770001").callUuid()).contains(second);
    assertThat(find(IdKind.CALL_UUID, first).callUuid()).contains(first);
    assertThat(find(IdKind.CALL_UUID, second).id(IdKind.CALL_UUID)).contains(second);
    // An event with a platform id and the caller id does not join a call that has its own platform ids.
    String inbound = id("RGB");
    clock.advance(Duration.ofMinutes(1));
    correlation.link("lead", CallLink.builder().inboundCallId(inbound).callerId("+15557770001").build());
    assertThat(find(IdKind.INBOUND_CALL_ID, inbound).callUuid()).isEmpty();
    assertThat(find(IdKind.CALL_UUID, second).inboundCallId()).isEmpty();

    // From PostgreSQL too, within the window and then past it.
    flushAndForget();
    assertThat(find(IdKind.CALLER_ID, "+15557770001").inboundCallId()).contains(inbound);
    clock.advance(Duration.ofHours(2).plusMinutes(1));
    assertThat(maybe(IdKind.CALLER_ID, "+15557770001")).isEmpty();
    correlation.link("x", CallLink.builder().callUuid(id("td")).build());
    assertThat(maybe(IdKind.CALLER_ID, "+15557770001")).as("cached, past the window").isEmpty();
  }

  @Test
  void callerIdJoinsAnEventWithoutPlatformIdsToTheRecentCall() {
    String uuid = id("td");
    correlation.link("enrich", CallLink.builder().callUuid(uuid).callerId("+15557770002").build());
    clock.advance(Duration.ofMinutes(1));
    CallRecord r = correlation.link("other", CallLink.builder().callerId("+1 (555) 777-0002").build()).orElseThrow();
    assertThat(r.callUuid()).contains(uuid);
    assertThat(r.lastSeen()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void aLinkWithoutIdsIsIgnored() {
    assertThat(correlation.link("x", CallLink.builder().callUuid("  ", "acme").callerId("n/a").build())).isEmpty();
    assertThat(correlation.link("x", CallLink.builder().callUuid("a\u0000b").inboundCallId("R".repeat(300)).build()))
        .as("NUL bytes and oversized values are not ids").isEmpty();
    assertThat(correlation.queueDepth()).isZero();
    // and a good id next to a bad subdomain still flushes
    String uuid = id("td");
    correlation.link("x", CallLink.builder().callUuid(uuid, "ac\u0000me").build());
    flushAndForget();
    assertThat(find(IdKind.CALL_UUID, uuid).subdomain()).isEmpty();
  }

  @Test
  void flushedLinksAreFoundAfterTheCacheIsCleared() {
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      String uuid = id("td");
      uuids.add(uuid);
      correlation.link("bulk", CallLink.builder().callUuid(uuid, "acme").pingId(uuid + "-ping").build());
    }
    correlation.flush().await();
    assertThat(correlation.queueDepth()).isZero();
    correlation.clearCache();
    for (String uuid : uuids) {
      assertThat(find(IdKind.PING_ID, uuid + "-ping").callUuid()).contains(uuid);
    }
    // Read-through filled the cache: the same finds now hit.
    double before = counter("callbridge_correlation_lookups_total", "kind", "ping_id", "result", "hit");
    find(IdKind.PING_ID, uuids.get(0) + "-ping");
    find(IdKind.CALL_UUID, uuids.get(0));
    assertThat(counter("callbridge_correlation_lookups_total", "kind", "ping_id", "result", "hit")).isEqualTo(before + 1);
    assertThat(counter("callbridge_correlation_lookups_total", "kind", "ping_id", "result", "miss")).isEqualTo(1200);
    assertThat(metrics.registry().get("callbridge_correlation_batch_rows").summary().totalAmount()).isEqualTo(2400);
  }

  @Test
  void aCallerIdWithTwoCallsIsAmbiguousForMoneyNeverTheNewestOne() {
    String caller = "+1555" + (7_000_000 + (System.nanoTime() % 1_000_000));
    String first = id("td");
    String second = id("td");
    correlation.link("td-ping", CallLink.builder().callUuid(first, "acme").callerId(caller).build());
    clock.advance(Duration.ofSeconds(5));
    correlation.link("td-ping", CallLink.builder().callUuid(second, "acme").callerId(caller).build());
    assertThat(correlation.find(IdKind.CALLER_ID, caller).await()).as("find: the newest, for display")
        .hasValueSatisfying(r -> assertThat(r.callUuid()).contains(second));
    CallMatch m = correlation.match(IdKind.CALLER_ID, caller, IdKind.CALL_UUID).await();
    assertThat(m).isInstanceOfSatisfying(CallMatch.Ambiguous.class,
        a -> assertThat(a.candidates()).containsExactly(second, first));

    String alone = "+1555" + (8_000_000 + (System.nanoTime() % 1_000_000));
    correlation.link("td-ping", CallLink.builder().callUuid(id("td"), "acme").callerId(alone).build());
    assertThat(correlation.match(IdKind.CALLER_ID, alone, IdKind.CALL_UUID).await())
        .isInstanceOf(CallMatch.Found.class);
    assertThat(correlation.match(IdKind.CALLER_ID, "+15550001111", IdKind.CALL_UUID).await())
        .isEqualTo(CallMatch.UNKNOWN);
  }

  @Test
  void aLinkAnotherInstanceMadeJustBeforeIsFoundByTheMoneyLookup() {
    Correlation other = open(config());
    try {
      String bid = id("RTB");
      String uuid = id("td");
      other.link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid, 3.5, T0.plusSeconds(60)).build());
      CallMatch m = correlation.match(IdKind.BID_ID, bid, IdKind.CALL_UUID).await();
      assertThat(m).isInstanceOfSatisfying(CallMatch.Found.class,
          f -> assertThat(f.call().callUuid()).contains(uuid));
    } finally {
      other.close().await();
    }
  }

  @Test
  void theTimerFlushesWithoutAnExplicitFlush() {
    String uuid = id("td");
    correlation.link("t", CallLink.builder().callUuid(uuid).build());
    Eventually.until("the write-behind timer flushed the link", () -> rows(uuid) > 0);
    assertThat(rows(uuid)).isEqualTo(1);
  }

  @Test
  void aFullQueueDropsTheWriteKeepsTheCacheAndCountsIt() {
    reopen(flushedByHand(5));
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      uuids.add(id("td"));
      correlation.link("burst", CallLink.builder().callUuid(uuids.get(i)).build());
    }
    assertThat(correlation.queueDepth()).isEqualTo(5);
    assertThat(counter("callbridge_correlation_overflow_total")).isEqualTo(3);
    assertThat(metrics.scrape()).contains("callbridge_correlation_queue_depth 5.0");
    for (String uuid : uuids) {
      assertThat(maybe(IdKind.CALL_UUID, uuid)).as("still in this instance's cache").isPresent();
    }
    flushAndForget();
    for (int i = 0; i < 8; i++) {
      assertThat(maybe(IdKind.CALL_UUID, uuids.get(i)).isPresent()).as("link " + i).isEqualTo(i < 5);
    }
    // Linking the call again queues the whole record.
    correlation.link("again", CallLink.builder().callUuid(uuids.get(7)).build());
    flushAndForget();
    assertThat(maybe(IdKind.CALL_UUID, uuids.get(7))).isPresent();
  }

  @Test
  void linksOfACallWhoseWriteStillWaitsTakeNoFurtherSlotAndTheLatestRecordIsWritten() {
    reopen(flushedByHand(10_000));
    String uuid = id("td");
    String bid = id("RTB");
    for (int i = 0; i <= 100; i++) {
      // A repeated ping: nothing new but the time.
      correlation.link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid, 4.2, T0.plusSeconds(39))
          .callerId("+15550000123").build());
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(correlation.queueDepth()).isEqualTo(1);
    String inbound = id("RGB");
    correlation.link("ringba", CallLink.builder().callUuid(uuid).inboundCallId(inbound).build());
    assertThat(correlation.queueDepth()).as("a link that adds an id joins the waiting write too").isEqualTo(1);
    correlation.link("td-ping", CallLink.builder().callUuid(id("td")).build());
    assertThat(correlation.queueDepth()).isEqualTo(2);
    assertThat(counter("callbridge_correlation_links_total")).isEqualTo(103);

    flushAndForget();
    assertThat(metrics.registry().get("callbridge_correlation_batch_links").summary().totalAmount()).isEqualTo(2);
    assertThat(metrics.registry().get("callbridge_correlation_batch_rows").summary().totalAmount()).isEqualTo(4);
    CallRecord r = find(IdKind.INBOUND_CALL_ID, inbound);
    assertThat(r.callUuid()).contains(uuid);
    assertThat(r.bidId()).contains(bid);
    assertThat(r.callerId()).contains("+15550000123");
    assertThat(r.firstSeen()).isEqualTo(T0);
    assertThat(r.lastSeen()).isEqualTo(T0.plusSeconds(101));
    assertThat(r.sighting(IdKind.BID_ID).orElseThrow()).isEqualTo(new CallRecord.Sighting("td-ping", T0));

    // Once a batch has taken the write, the call's next link queues again.
    clock.advance(Duration.ofSeconds(1));
    correlation.link("td-ping", CallLink.builder().callUuid(uuid).build());
    assertThat(correlation.queueDepth()).isEqualTo(1);
    flushAndForget();
    assertThat(find(IdKind.BID_ID, bid).lastSeen()).isEqualTo(T0.plusSeconds(102));
  }

  @Test
  void aWriteTheQueueRefusedIsNotJoinedTheCallsNextLinkQueuesItsWholeRecord() {
    reopen(flushedByHand(1));
    String first = id("td");
    String second = id("td");
    String inbound = id("RGB");
    correlation.link("a", CallLink.builder().callUuid(first).build());
    correlation.link("b", CallLink.builder().callUuid(second).inboundCallId(inbound).build());
    correlation.link("b", CallLink.builder().callUuid(second).build());
    assertThat(counter("callbridge_correlation_overflow_total")).isEqualTo(2);
    assertThat(correlation.queueDepth()).isEqualTo(1);
    correlation.flush().await();
    correlation.link("b", CallLink.builder().callUuid(second).build());
    assertThat(correlation.queueDepth()).isEqualTo(1);
    flushAndForget();
    assertThat(find(IdKind.CALL_UUID, second).inboundCallId()).contains(inbound);
    assertThat(find(IdKind.CALL_UUID, first).callUuid()).contains(first);
  }

  @Test
  void retentionRemovesOldLinksInBatches() {
    reopen(new CorrelationConfig(100_000, Duration.ofHours(48), Duration.ofHours(2), 500,
        Duration.ofMillis(20), 10_000, Duration.ofDays(35), Duration.ofHours(1), 2, 2));
    TestDb.exec(pg, "DELETE FROM call_link");
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      old.add(id("td-old"));
      correlation.link("old", CallLink.builder().callUuid(old.get(i)).build());
    }
    clock.advance(Duration.ofDays(36));
    String recent = id("td-new");
    correlation.link("new", CallLink.builder().callUuid(recent).inboundCallId(recent + "-rgb").build());
    correlation.flush().await();
    assertThat(correlation.purgeExpired().await()).isEqualTo(5);
    correlation.clearCache();
    for (String uuid : old) {
      assertThat(maybe(IdKind.CALL_UUID, uuid)).isEmpty();
    }
    assertThat(find(IdKind.INBOUND_CALL_ID, recent + "-rgb").callUuid()).contains(recent);
    assertThat(counter("callbridge_correlation_purged_rows_total")).isEqualTo(5);
  }

  double counter(String name, String... tags) {
    return metrics.registry().get(name).tags(tags).counter().count();
  }

  static int rows(String id) {
    try (var c = TestDb.connect(pg); var s = c.prepareStatement("SELECT count(*) FROM call_link WHERE id = ?")) {
      s.setString(1, id);
      try (var rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }


  @Test
  void aCallLinkedAgainAndAgainIsWrittenOnceAMinuteNotOncePerBatch() {
    reopen(flushedByHand(1_000));
    String uuid = id("td-hot");
    String bid = id("RTB-hot");
    for (int i = 0; i < 5; i++) {
      correlation.link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid, 4.2, T0.plusSeconds(60))
          .callerId("+15550007777").build());
      clock.advance(Duration.ofSeconds(5));
      correlation.flush().await();
    }
    assertThat(rows(uuid)).as("one write: the later ones only moved last_seen").isEqualTo(1);
    clock.advance(Duration.ofSeconds(60));
    correlation.link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid, 4.2, T0.plusSeconds(60)).build());
    correlation.flush().await();
    assertThat(rows(uuid)).as("a minute on, last_seen is written again").isEqualTo(2);
    // A change is written at once: a new bid for the call.
    String bid2 = id("RTB-hot");
    correlation.link("td-ping", CallLink.builder().callUuid(uuid, "acme").bid(bid2, 5.0, T0.plusSeconds(300)).build());
    correlation.flush().await();
    assertThat(rows(uuid)).isEqualTo(3);
    correlation.clearCache();
    CallRecord read = find(IdKind.CALL_UUID, uuid);
    assertThat(read.bidId()).as("the bid sighted last wins over the rows of older ones").contains(bid2);
    assertThat(read.lastSeen()).isEqualTo(clock.instant());
    assertThat(find(IdKind.BID_ID, bid).callUuid()).as("the older bid still finds the call").contains(uuid);
  }

  @Test
  void retentionDropsWholeDaysOfLinks() {
    reopen(flushedByHand(1_000));
    String old = id("td-day");
    correlation.link("old", CallLink.builder().callUuid(old).inboundCallId(old + "-rgb").build());
    correlation.flush().await();
    // Start made the coming days' partitions; a link dated in one of them lands there.
    String tomorrow = T0.plus(Duration.ofDays(1)).toString().substring(0, 10).replace("-", "");
    clock.advance(Duration.ofDays(1));
    String next = id("td-day");
    correlation.link("next", CallLink.builder().callUuid(next).build());
    correlation.flush().await();
    assertThat(TestDb.count(pg, "SELECT count(*) FROM call_link_" + tomorrow + " WHERE id = '" + next + "'")).isEqualTo(1);
    clock.advance(Duration.ofDays(37));
    assertThat(correlation.purgeExpired().await()).isGreaterThanOrEqualTo(3);
    assertThat(TestDb.count(pg, "SELECT count(*) FROM pg_class WHERE relname = 'call_link_" + tomorrow + "'"))
        .as("the day is dropped, not deleted row by row").isZero();
    correlation.clearCache();
    assertThat(maybe(IdKind.CALL_UUID, next)).isEmpty();
    assertThat(maybe(IdKind.INBOUND_CALL_ID, old + "-rgb")).isEmpty();
  }
}
