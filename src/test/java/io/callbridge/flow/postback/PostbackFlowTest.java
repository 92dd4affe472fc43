package io.callbridge.flow.postback;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Flows;
import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.config.RouteKind;
import io.callbridge.correlation.CallLink;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.FakeDestination;
import io.callbridge.testing.FakeDestination.Action;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both postback patterns end to end against a real gateway, real PostgreSQL and a real local
 * destination: durability answers, duplicates, conflicts, retries and their classes, admin.
 */
class PostbackFlowTest {
  static final String YAML = """
      server: { bodyLimit: 4KiB, accessLog: false, adminToken: admin-secret }
      outbox: { rematchWindow: 0s, ingestStuckAfter: 1s }   # unmatched rows wait for replay here (TwoInstancesTest: they match themselves)
      destinations:
        td: { baseUrl: "http://127.0.0.1:%1$d", allowPrivate: true, requestTimeout: 1s }
        ringba: { baseUrl: "http://127.0.0.1:%1$d", allowPrivate: true, requestTimeout: 1s }
      routes:
        - name: ringba-payout
          kind: postback
          auth: { token: ringba-secret }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          matchBy: [inboundCallId]
          retrySchedule: [0s, 100ms, 100ms, 100ms]
          jitter: 0
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: td-conversion
          kind: postback
          auth: { token: td-secret }
          callIdField: ringba_call_uuid
          oncePerCall: true
          retrySchedule: [0s, 100ms, 100ms, 100ms]
          jitter: 0
          targets: [ { destination: ringba, template: ringba-conversion-webhook, vars: { webhook_id: WH1 } } ]
        - name: settled
          kind: postback
          auth: { token: ringba-secret }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          settleWindow: 1s
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: correlated
          kind: postback
          auth: { token: ringba-secret }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          matchBy: [inboundCallId, caller_id]
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: misconfigured
          kind: postback
          auth: { token: td-secret }
          callIdField: ringba_call_uuid
          oncePerCall: true
          targets: [ { destination: ringba, template: ringba-conversion-webhook, vars: { webhook_id: "" } } ]
        - name: flagged
          kind: postback
          auth: { token: ringba-secret }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          conversion: { amountField: payout, convertedField: converted }
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: jittered
          kind: postback
          auth: { token: ringba-secret }
          callIdField: trackdrive_call_uuid
          retrySchedule: [0s, 10s]
          jitter: 0.2
          targets: [ { destination: td, template: trackdrive-update-call } ]
      """;

  static PostgresConfig db;
  static Gateway gateway;
  static FakeDestination dest;
  static String base;
  static String admin;
  static final TestClock clock = TestClock.ticking();
  /** What correlation knows in this test: Ringba inboundCallId → TrackDrive call uuid. */
  static final Map<String, String> links = new ConcurrentHashMap<>();

  static final Map<String, String> RINGBA = Map.of("X-CallBridge-Token", "ringba-secret");
  static final Map<String, String> TD = Map.of("X-CallBridge-Token", "td-secret");
  static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-secret");

  @BeforeAll
  static void start() {
    dest = FakeDestination.start();
    db = TestDb.freshSchema(PostbackFlowTest.class);
    CallBridgeConfig config = TestConfigs.forTest(YAML.formatted(dest.port()), db);
    CallMatcher matcher = (route, fields) -> {
      String uuid = links.get(String.valueOf(fields.get("inboundCallId")));
      return Future.succeededFuture(uuid == null ? CallMatcher.Match.NONE
          : CallMatcher.Match.of(Map.of("trackdrive_call_uuid", uuid)));
    };
    gateway = Gateway.start(config, clock,
        (route, services) -> route.kind() != RouteKind.POSTBACK ? null
            : route.name().equals("correlated") ? Flows.postback(route, services)
            : Flows.postback(route, services, matcher)).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
    admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    dest.close();
    TestDb.drop(db);
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  static Http.Response payout(String route, String uuid, String payout) {
    return Http.post(base + "/v1/postbacks/" + route, "application/json",
        new JsonObject().put("trackdrive_call_uuid", uuid).put("payout", payout).put("revenue", payout)
            .put("buyer_converted", "true").encode(), RINGBA);
  }

  static Http.Response conversion(String ringbaId, String amount) {
    return Http.get(base + "/v1/postbacks/td-conversion?ringba_call_uuid=" + ringbaId + "&payout=" + amount, TD);
  }

  static JsonObject row(long id) {
    Http.Response r = Http.get(admin + "/admin/postbacks/" + id, ADMIN);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static JsonObject awaitStatus(long id, String status) {
    return awaitStatus(id, status, Duration.ofSeconds(10));
  }

  static JsonObject awaitStatus(long id, String status, Duration within) {
    return Eventually.value("postback " + id + " becomes " + status, within,
        () -> Optional.of(row(id)).filter(r -> status.equals(r.getString("status"))));
  }

  static final java.util.Set<String> FINAL = java.util.Set.of("delivered", "dead", "reconciled", "conflict",
      "cancelled");

  /**
   * The row is final (nothing left to send: no worker will pick it up again) and the destination
   * got exactly its {@code attempts}: what a pause to "see whether more arrive" could only guess.
   */
  static void sentExactly(long id, String call, int times) {
    JsonObject row = row(id);
    assertThat(FINAL).as("row " + id + " is final: " + row.encode()).contains(row.getString("status"));
    assertThat(row.getString("nextAttemptAt")).isNull();
    assertThat(row.getInteger("attempts")).isEqualTo(times);
    assertThat(dest.forCall(call)).hasSize(times);
  }

  @Test
  void pattern1PayoutReachesTrackDriveWithAbsoluteValuesWithinMilliseconds() {
    String uuid = id();
    long t0 = System.currentTimeMillis();
    Http.Response r = payout("ringba-payout", uuid, "12.5");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    long id = r.json().getLong("id");
    assertThat(r.json().getString("status")).isEqualTo("pending");
    JsonObject row = awaitStatus(id, "delivered");
    List<FakeDestination.Received> got = dest.forCall(uuid);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).method()).isEqualTo("POST");
    assertThat(got.get(0).uri()).isEqualTo("/api/v1/calls/update_call/" + uuid);
    JsonObject body = new JsonObject(got.get(0).body());
    assertThat(body.getValue("revenue")).as("Ringba's payout is TrackDrive's revenue").isEqualTo(12.5);
    assertThat(body.containsKey("payout")).as("TrackDrive's payout (to its own traffic source) is never touched")
        .isFalse();
    assertThat(body.getString("buyer_converted")).isEqualTo("true");
    assertThat(body.getString("offer_converted")).isEqualTo("true");
    assertThat(body.fieldNames()).noneMatch(k -> k.startsWith("add_"));
    assertThat(got.get(0).atMillis() - t0).as("first attempt right after the commit (LISTEN/NOTIFY)").isLessThan(2000);
    assertThat(row.getInteger("attempts")).isEqualTo(1);
    JsonArray log = row.getJsonArray("attemptLog");
    assertThat(log).hasSize(1);
    assertThat(log.getJsonObject(0).getString("outcome")).isEqualTo("delivered");
    assertThat(log.getJsonObject(0).getInteger("httpStatus")).isEqualTo(200);
    assertThat(row.getJsonObject("inbound").getString("body")).contains(uuid);
  }

  @Test
  void pattern2ConversionReachesRingbaWebhookAndTheTokenIsNeverStored() {
    String ringbaId = "RGB" + id();
    Http.Response r = Http.get(base + "/v1/postbacks/td-conversion?token=td-secret&ringba_call_uuid=" + ringbaId
        + "&payout=30", Map.of());
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    JsonObject row = awaitStatus(r.json().getLong("id"), "delivered");
    List<FakeDestination.Received> got = dest.forCall(ringbaId);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).method()).isEqualTo("GET");
    assertThat(got.get(0).uri()).isEqualTo("/hook/WH1?call_id=" + ringbaId + "&call_revenue=30&sale_successful=true");
    assertThat(row.getJsonObject("inbound").getString("query")).doesNotContain("td-secret");
  }

  @Test
  void aZeroPayoutUpdatesTrackDriveWithoutConverting() {
    String uuid = id();
    long id = payout("ringba-payout", uuid, "0.00").json().getLong("id");
    awaitStatus(id, "delivered");
    JsonObject body = new JsonObject(dest.forCall(uuid).get(0).body());
    assertThat(body.getString("buyer_converted")).isEqualTo("false");
    assertThat(body.getString("offer_converted")).isEqualTo("false");
    assertThat(((Number) body.getValue("revenue")).doubleValue()).isEqualTo(0.0);
  }

  @Test
  void theConvertedFlagsComeFromTheEventNotADefault() {
    String uuid = id();
    Http.Response r = Http.post(base + "/v1/postbacks/flagged", "application/json", new JsonObject()
        .put("trackdrive_call_uuid", uuid).put("payout", "9").put("converted", "no").encode(), RINGBA);
    awaitStatus(r.json().getLong("id"), "delivered");
    JsonObject body = new JsonObject(dest.forCall(uuid).get(0).body());
    assertThat(body.getString("buyer_converted")).as("the sender said it did not convert").isEqualTo("false");
    assertThat(body.getValue("revenue")).isEqualTo(9);
  }

  @Test
  void aNonConversionNeverUsesUpRingbasOneConversion() {
    String ringbaId = "RGB" + id();
    Http.Response zero = conversion(ringbaId, "0");
    assertThat(zero.status()).as(zero.body()).isEqualTo(202);
    assertThat(zero.json().getString("status")).isEqualTo("skipped");
    assertThat(zero.json().getString("reason")).contains("not a conversion");
    assertThat(conversion(ringbaId, "0").json().getLong("id")).as("a copy is the same row")
        .isEqualTo(zero.json().getLong("id"));
    Http.Response real = conversion(ringbaId, "35");
    assertThat(real.status()).as("the real conversion is new, not a conflict: " + real.body()).isEqualTo(202);
    awaitStatus(real.json().getLong("id"), "delivered");
    sentExactly(real.json().getLong("id"), ringbaId, 1);
    List<FakeDestination.Received> got = dest.forCall(ringbaId);
    assertThat(got.get(0).uri()).contains("call_revenue=35", "sale_successful=true");
    assertThat(row(zero.json().getLong("id")).getString("status")).isEqualTo("skipped");
  }

  @Test
  void aLaterDifferentAmountIsACorrectionDeliveredInOrderAndTheLatestWins() {
    String uuid = id();
    dest.script(uuid, Action.status(503));
    long first = payout("ringba-payout", uuid, "10").json().getLong("id");
    Http.Response corrected = payout("ringba-payout", uuid, "12.5");
    assertThat(corrected.status()).as(corrected.body()).isEqualTo(202);
    assertThat(corrected.json().getBoolean("correction")).isTrue();
    assertThat(corrected.json().getLong("corrects")).isEqualTo(first);
    long second = corrected.json().getLong("id");
    assertThat(payout("ringba-payout", uuid, "12.5").json().getLong("id")).as("a copy of the correction dedupes")
        .isEqualTo(second);
    awaitStatus(first, "delivered");
    awaitStatus(second, "delivered");
    List<FakeDestination.Received> got = dest.forCall(uuid);
    // The first row failed once (503) and was retried: the correction waited for it.
    assertThat(got.stream().map(g -> new JsonObject(g.body()).getValue("revenue")).toList())
        .as("absolute values in order, the latest last").containsExactly(10, 10, 12.5);
  }

  @Test
  void anUnresolvedTokenIsMissingEverywhere() {
    Http.Response required = Http.get(base + "/v1/postbacks/td-conversion?ringba_call_uuid=[ringba_call_uuid]&payout=5",
        TD);
    assertThat(required.status()).as(required.body()).isEqualTo(422);
    assertThat(required.json().getString("field")).isEqualTo("ringba_call_uuid");
    assertThat(required.json().getString("error")).contains("unresolved token '[ringba_call_uuid]'");
    String uuid = id();
    Http.Response optional = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", new JsonObject()
        .put("trackdrive_call_uuid", uuid).put("payout", "4").put("inboundCallId", "[Call:InboundCallId]")
        .put("caller_id", "[tag:InboundNumber:Number]").encode(), RINGBA);
    assertThat(optional.status()).as(optional.body()).isEqualTo(202);
    JsonObject row = awaitStatus(optional.json().getLong("id"), "delivered");
    assertThat(row.getJsonObject("request").encode()).doesNotContain("[Call:", "[tag:");
    Http.Response token = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", new JsonObject()
        .put("trackdrive_call_uuid", "[tag:User:trackdrive_call_uuid]").put("payout", "4").encode(), RINGBA);
    assertThat(token.status()).as("never forwarded as a call id: " + token.body()).isEqualTo(202);
    assertThat(token.json().getString("status")).as("no call id: unmatched, not sent").isEqualTo("unmatched");
  }

  @Test
  void duplicateAnswers200WithTheFirstIdAndStatusAndIsNeverSentTwice() {
    String uuid = id();
    long id = payout("ringba-payout", uuid, "10").json().getLong("id");
    awaitStatus(id, "delivered");
    Http.Response again = payout("ringba-payout", uuid, "10");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getLong("id")).isEqualTo(id);
    assertThat(again.json().getString("status")).isEqualTo("delivered");
    assertThat(again.json().getBoolean("duplicate")).isTrue();
    sentExactly(id, uuid, 1);
  }

  @Test
  void fiftyConcurrentCopiesMakeOneRowAndOneDelivery() throws Exception {
    String uuid = id();
    int n = 50;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Http.Response>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(pool.submit(() -> {
        go.await();
        return payout("ringba-payout", uuid, "7");
      }));
    }
    go.countDown();
    List<Http.Response> rs = new ArrayList<>();
    for (var f : answers) {
      rs.add(f.get());
    }
    pool.shutdown();
    assertThat(rs).allSatisfy(r -> assertThat(r.status()).isIn(200, 202));
    assertThat(rs.stream().filter(r -> r.status() == 202)).hasSize(1);
    assertThat(rs.stream().map(r -> r.json().getLong("id")).distinct()).hasSize(1);
    awaitStatus(rs.get(0).json().getLong("id"), "delivered");
    sentExactly(rs.get(0).json().getLong("id"), uuid, 1);
  }

  @Test
  void aMonthLaterTheSamePostbackIsStillADuplicate() {
    String uuid = id();
    long id = payout("ringba-payout", uuid, "3").json().getLong("id");
    awaitStatus(id, "delivered");
    clock.advance(Duration.ofDays(31));
    Http.Response later = payout("ringba-payout", uuid, "3");
    assertThat(later.status()).isEqualTo(200);
    assertThat(later.json().getLong("id")).isEqualTo(id);
    sentExactly(id, uuid, 1);
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterThenDelivers() {
    String uuid = id();
    dest.script(uuid, new Action(429, Map.of("Retry-After", "1"), 0));
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "delivered", Duration.ofSeconds(5));
    List<FakeDestination.Received> got = dest.forCall(uuid);
    assertThat(got).hasSize(2);
    assertThat(got.get(1).atMillis() - got.get(0).atMillis()).as("Retry-After: 1 honoured over the 100ms schedule")
        .isGreaterThanOrEqualTo(950);
    assertThat(row.getJsonArray("attemptLog").getJsonObject(0).getString("outcome")).isEqualTo("retry");
    assertThat(row.getJsonArray("attemptLog").getJsonObject(0).getInteger("httpStatus")).isEqualTo(429);
  }

  @Test
  void goneIsDeadAtOnce() {
    String uuid = id();
    dest.script(uuid, Action.status(410));
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "dead");
    assertThat(row.getInteger("attempts")).isEqualTo(1);
    assertThat(row.getString("lastError")).contains("410");
    sentExactly(id, uuid, 1);
  }

  @Test
  void aRedirectIsNotFollowedAndIsDead() {
    String uuid = id();
    dest.script(uuid, new Action(302, Map.of("Location", "http://127.0.0.1:" + dest.port() + "/elsewhere"), 0));
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "dead");
    assertThat(row.getString("lastError")).contains("302").contains("not followed");
    sentExactly(id, uuid, 1);
    assertThat(dest.received).noneMatch(r -> r.uri().equals("/elsewhere"));
  }

  @Test
  void resetAfterSendIsRetriedAndMarkedAmbiguous() {
    String uuid = id();
    dest.script(uuid, Action.reset());
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "delivered");
    assertThat(row.getBoolean("ambiguous")).isTrue();
    assertThat(row.getJsonArray("attemptLog").getJsonObject(0).getString("kind")).isEqualTo("reset");
    assertThat(dest.forCall(uuid)).hasSize(2);
  }

  @Test
  void aDestinationSlowerThanTheTimeoutIsRetried() {
    String uuid = id();
    dest.script(uuid, Action.slow(2500));
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "delivered");
    JsonObject first = row.getJsonArray("attemptLog").getJsonObject(0);
    assertThat(first.getString("kind")).isEqualTo("timeout");
    assertThat(first.getInteger("latencyMs")).isBetween(950, 3000);
    assertThat(row.getBoolean("ambiguous")).isTrue();
  }

  @Test
  void theConfiguredCountIsTheCountThatHappens() {
    String uuid = id();
    dest.script(uuid, Action.status(500), Action.status(502), Action.status(503), Action.status(500),
        Action.status(500));
    long id = payout("ringba-payout", uuid, "1").json().getLong("id");
    JsonObject row = awaitStatus(id, "dead");
    assertThat(row.getInteger("attempts")).isEqualTo(4);
    assertThat(row.getString("lastError")).contains("schedule exhausted after 4");
    sentExactly(id, uuid, 4);
  }

  @Test
  void theNextAttemptFallsInsideTheJitterBounds() {
    String uuid = id();
    dest.script(uuid, Action.status(500));
    long id = payout("jittered", uuid, "1").json().getLong("id");
    Eventually.until("first attempt recorded", () -> row(id).getInteger("attempts") == 1);
    JsonObject row = row(id);
    assertThat(row.getString("status")).isEqualTo("pending");
    Instant next = Instant.parse(row.getString("nextAttemptAt"));
    Instant updated = Instant.parse(row.getString("updatedAt"));
    long waitMs = Duration.between(updated, next).toMillis();
    assertThat(waitMs).as("10s ± 20%").isBetween(8000L, 12000L);
    Http.post(admin + "/admin/postbacks/" + id + "/cancel", null, null, ADMIN);
  }

  @Test
  void ringbaOnceOnlyADifferentLaterConversionIsAConflictAndNotSent() {
    String ringbaId = "RGB" + id();
    long first = conversion(ringbaId, "25").json().getLong("id");
    awaitStatus(first, "delivered");
    Http.Response same = conversion(ringbaId, "25");
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.json().getLong("id")).isEqualTo(first);
    Http.Response other = conversion(ringbaId, "40");
    assertThat(other.status()).as(other.body()).isEqualTo(409);
    assertThat(other.json().getString("status")).isEqualTo("conflict");
    assertThat(other.json().getLong("original")).isEqualTo(first);
    long conflict = other.json().getLong("id");
    // A copy of the conflicting one is the same conflict row, not a third.
    assertThat(conversion(ringbaId, "40").json().getLong("id")).isEqualTo(conflict);
    JsonObject row = row(conflict);
    assertThat(row.getString("status")).isEqualTo("conflict");
    assertThat(row.getLong("relatedId")).isEqualTo(first);
    assertThat(row.getString("action")).as("what an operator can do about it")
        .contains("Adjust Payments", "/admin/postbacks/" + conflict + "/cancel");
    assertThat(Http.post(admin + "/admin/postbacks/" + conflict + "/replay", null, null, ADMIN).status()).isEqualTo(409);
    Http.Response listed = Http.get(admin + "/admin/postbacks?status=conflict&route=td-conversion", ADMIN);
    assertThat(listed.json().getJsonArray("postbacks").stream().map(o -> ((JsonObject) o).getLong("id")))
        .contains(conflict);
    assertThat(row(conflict).getInteger("attempts")).as("a conflict is never sent").isZero();
    sentExactly(first, ringbaId, 1);
  }

  @Test
  void a404AfterAnAmbiguousAttemptIsReconciledNotRetried() {
    dest.ringbaOnce(true);
    try {
      String ringbaId = "RGB" + id();
      dest.script(ringbaId, Action.reset());
      long id = conversion(ringbaId, "15").json().getLong("id");
      JsonObject row = awaitStatus(id, "reconciled");
      assertThat(row.getInteger("attempts")).isEqualTo(2);
      assertThat(row.getJsonArray("attemptLog").getJsonObject(1).getInteger("httpStatus")).isEqualTo(404);
      sentExactly(id, ringbaId, 2);
    } finally {
      dest.ringbaOnce(false);
    }
  }

  @Test
  void aPlain404WithoutAnEarlierAmbiguousAttemptIsDead() {
    String ringbaId = "RGB" + id();
    dest.script(ringbaId, Action.status(404));
    long id = conversion(ringbaId, "15").json().getLong("id");
    assertThat(awaitStatus(id, "dead").getInteger("attempts")).isEqualTo(1);
  }

  @Test
  void settleWindowDeliversOnlyTheLatestValue() {
    String uuid = id();
    Http.Response first = payout("settled", uuid, "5");
    assertThat(first.status()).isEqualTo(202);
    Http.Response second = payout("settled", uuid, "8");
    assertThat(second.status()).as(second.body()).isEqualTo(202);
    assertThat(second.json().getLong("id")).isEqualTo(first.json().getLong("id"));
    assertThat(second.json().getBoolean("superseded")).isTrue();
    JsonObject waiting = row(first.json().getLong("id"));
    assertThat(Instant.parse(waiting.getString("nextAttemptAt"))).as("held until the 1 s window ends")
        .isAfterOrEqualTo(Instant.parse(waiting.getString("createdAt")).plusMillis(900));
    assertThat(dest.forCall(uuid)).as("nothing before the window ends").isEmpty();
    awaitStatus(first.json().getLong("id"), "delivered");
    assertThat(dest.forCall(uuid)).hasSize(1);
    assertThat(new JsonObject(dest.forCall(uuid).get(0).body()).getValue("revenue")).isEqualTo(8);
  }

  @Test
  void unmatchedIsStoredVisibleAndReplayableOnceCorrelationKnowsTheCall() {
    String inbound = "RGB" + id();
    Http.Response r = Http.post(base + "/v1/postbacks/ringba-payout", "application/json",
        new JsonObject().put("inboundCallId", inbound).put("payout", "9").encode(), RINGBA);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.json().getString("status")).isEqualTo("unmatched");
    long id = r.json().getLong("id");
    Http.Response list = Http.get(admin + "/admin/postbacks?status=unmatched", ADMIN);
    assertThat(list.json().getJsonArray("postbacks").stream().map(o -> ((JsonObject) o).getLong("id"))).contains(id);
    JsonObject still = Http.post(admin + "/admin/postbacks/" + id + "/replay", null, null, ADMIN).json();
    assertThat(still.getBoolean("replayed")).isFalse();
    String uuid = id();
    links.put(inbound, uuid);
    JsonObject replayed = Http.post(admin + "/admin/postbacks/" + id + "/replay", null, null, ADMIN).json();
    assertThat(replayed.getBoolean("replayed")).as(replayed.encode()).isTrue();
    awaitStatus(id, "delivered");
    assertThat(dest.forCall(uuid)).hasSize(1);
  }

  @Test
  void aCopyMatchedAtIngestAndItsUnmatchedOriginalAreOnePostbackDeliveredOnce() {
    String inbound = "RGB" + id();
    String body = new JsonObject().put("inboundCallId", inbound).put("payout", "6").encode();
    Http.Response original = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", body, RINGBA);
    assertThat(original.json().getString("status")).isEqualTo("unmatched");
    String uuid = id();
    links.put(inbound, uuid);
    // The sender tries again once the call is known: the copy is matched at ingest and delivered.
    Http.Response copy = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", body, RINGBA);
    assertThat(copy.status()).as(copy.body()).isEqualTo(202);
    long copyId = copy.json().getLong("id");
    awaitStatus(copyId, "delivered");
    // A replay of the original finds the same call: it is the copy's postback, never a second delivery.
    JsonObject replayed = Http.post(admin + "/admin/postbacks/" + original.json().getLong("id") + "/replay", null,
        null, ADMIN).json();
    assertThat(replayed.getBoolean("found")).as(replayed.encode()).isTrue();
    assertThat(replayed.getBoolean("replayed")).isFalse();
    assertThat(replayed.getString("status")).isEqualTo("cancelled");
    assertThat(replayed.getLong("copyOf")).isEqualTo(copyId);
    assertThat(row(original.json().getLong("id")).getLong("relatedId")).isEqualTo(copyId);
    sentExactly(copyId, uuid, 1);
    // And a bulk replay of every unmatched row changes nothing for this call.
    Http.post(admin + "/admin/postbacks/replay", "application/json",
        new JsonObject().put("status", "unmatched").put("since", "1h").encode(), ADMIN);
    assertThat(dest.forCall(uuid)).hasSize(1);
  }

  @Test
  void poisonBytesAre400sNamingTheFieldAndNeverStored() throws Exception {
    String uuid = id();
    byte[] lone = ("{\"trackdrive_call_uuid\":\"" + uuid + "\",\"payout\":\"1\",\"note\":\"x")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(lone, lone.length + 5);
    body[lone.length] = (byte) 0xed;
    body[lone.length + 1] = (byte) 0xa0;
    body[lone.length + 2] = (byte) 0x80;
    body[lone.length + 3] = '"';
    body[lone.length + 4] = '}';
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/postbacks/ringba-payout"))
            .header("Content-Type", "application/json").header("X-CallBridge-Token", "ringba-secret")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("body");
    Http.Response nul = Http.get(base + "/v1/postbacks/ringba-payout?token=ringba-secret&trackdrive_call_uuid="
        + uuid + "&payout=1%00", Map.of());
    assertThat(nul.status()).as(nul.body()).isEqualTo(400);
    assertThat(nul.json().getString("field")).isEqualTo("payout");
    assertThat(Http.get(admin + "/admin/postbacks?route=ringba-payout&limit=1000", ADMIN).body())
        .as("nothing of it stored").doesNotContain(uuid);
  }

  @Test
  void ingestStuckBehindALockMakesTheInstanceUnreadyUntilItCommits() throws Exception {
    String uuid = id();
    try (java.sql.Connection lock = TestDb.connect(db)) {
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE outbox IN EXCLUSIVE MODE"); // reads still work, inserts wait
      java.util.concurrent.CompletableFuture<Http.Response> waiting = java.util.concurrent.CompletableFuture
          .supplyAsync(() -> payout("ringba-payout", uuid, "3"));
      JsonObject unready = Eventually.value("readiness says ingest is stuck", () -> {
        Http.Response r = Http.get(admin + "/health/ready");
        return r.status() == 503 ? Optional.of(r.json()) : Optional.empty();
      });
      assertThat(unready.getString("ingest")).isEqualTo("stuck");
      assertThat(unready.getString("postgres")).as("PostgreSQL itself answers").isEqualTo("up");
      assertThat(unready.getString("reason")).contains("waiting");
      lock.rollback(); // the lock goes; the postback commits
      assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(202);
    }
    Eventually.until("ready again", () -> Http.get(admin + "/health/ready").status() == 200);
    assertThat(Http.get(admin + "/health/ready").json().getString("ingest")).isEqualTo("ok");
  }

  @Test
  void aCallersShortDeadlineNeverTurnsACommittedPostbackInto503() {
    String uuid = id();
    Map<String, String> hurried = new java.util.HashMap<>(RINGBA);
    hurried.put("X-Deadline-Ms", "1");
    Http.Response r = Http.post(base + "/v1/postbacks/ringba-payout", "application/json",
        new JsonObject().put("trackdrive_call_uuid", uuid).put("payout", "4").encode(), hurried);
    assertThat(r.status()).as("answered from the commit, not from the 1 ms the caller asked for: " + r.body())
        .isEqualTo(202);
    awaitStatus(r.json().getLong("id"), "delivered");
    Map<String, String> bad = new java.util.HashMap<>(RINGBA);
    bad.put("X-Deadline-Ms", "soon");
    assertThat(Http.post(base + "/v1/postbacks/ringba-payout", "application/json", "{}", bad).status())
        .as("still a 400 for a header that is no number").isEqualTo(400);
  }

  @Test
  void correlationFillsTheMissingIdAtIngest() {
    String inbound = "RGB" + id();
    String uuid = id();
    links.put(inbound, uuid);
    Http.Response r = Http.post(base + "/v1/postbacks/ringba-payout", "application/json",
        new JsonObject().put("inboundCallId", inbound).put("payout", "4").encode(), RINGBA);
    assertThat(r.status()).isEqualTo(202);
    awaitStatus(r.json().getLong("id"), "delivered");
    assertThat(dest.forCall(uuid)).hasSize(1);
  }

  @Test
  void theRealCorrelationFindsTheTrackDriveCallFromTheRingbaId() {
    String inbound = "RGB" + id();
    String uuid = id();
    gateway.services().correlation().link("td-enrich",
        CallLink.builder().callUuid(uuid, "acme").inboundCallId(inbound).build());
    Http.Response r = Http.post(base + "/v1/postbacks/correlated", "application/json",
        new JsonObject().put("inboundCallId", inbound).put("payout", "6").encode(), RINGBA);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.json().getString("status")).isEqualTo("pending");
    JsonObject row = awaitStatus(r.json().getLong("id"), "delivered");
    assertThat(row.getString("callId")).isEqualTo(uuid);
    assertThat(dest.forCall(uuid)).hasSize(1);
  }

  @Test
  void aConfigurationProblemKeepsThePostbackAsDeadForReplayNotA4xx() {
    String ringbaId = "RGB" + id();
    Http.Response r = Http.get(base + "/v1/postbacks/misconfigured?ringba_call_uuid=" + ringbaId + "&payout=5", TD);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.json().getString("status")).isEqualTo("dead");
    long id = r.json().getLong("id");
    JsonObject row = row(id);
    assertThat(row.getString("lastError")).contains("webhook_id").contains("configuration");
    assertThat(row.getJsonObject("inbound").getString("query")).contains(ringbaId);
    Http.Response again = Http.get(base + "/v1/postbacks/misconfigured?ringba_call_uuid=" + ringbaId + "&payout=5", TD);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getLong("id")).isEqualTo(id);
    JsonObject replay = Http.post(admin + "/admin/postbacks/" + id + "/replay", null, null, ADMIN).json();
    assertThat(replay.getBoolean("replayed")).isFalse();
    assertThat(replay.getString("reason")).contains("cannot be rendered");
    assertThat(dest.forCall(ringbaId)).isEmpty();
  }

  @Test
  void badInputNamesTheField() {
    Http.Response amount = payout("ringba-payout", id(), "lots");
    assertThat(amount.status()).isEqualTo(422);
    assertThat(amount.json().getString("field")).isEqualTo("payout");
    Http.Response json = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", "{broken", RINGBA);
    assertThat(json.status()).isEqualTo(400);
    assertThat(json.json().getString("field")).isEqualTo("body");
    Http.Response big = Http.post(base + "/v1/postbacks/ringba-payout", "application/json",
        "{\"trackdrive_call_uuid\":\"" + "x".repeat(5000) + "\"}", RINGBA);
    assertThat(big.status()).isEqualTo(413);
    Http.Response noToken = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", "{}", Map.of());
    assertThat(noToken.status()).isEqualTo(401);
    Http.Response wrong = Http.post(base + "/v1/postbacks/ringba-payout", "application/json", "{}", TD);
    assertThat(wrong.status()).isEqualTo(401);
    Http.Response list = Http.get(admin + "/admin/postbacks?limit=1000", ADMIN);
    assertThat(list.body()).doesNotContain("lots").doesNotContain("xxxxxxxxxx");
  }

  @Test
  void adminAnswersEveryBadParameterWith400NamingItAndTakesTheBearerSchemeInAnyCase() {
    Http.Response huge = Http.get(admin + "/admin/postbacks?since=99999999999999999999", ADMIN);
    assertThat(huge.status()).as(huge.body()).isEqualTo(400);
    assertThat(huge.json().getString("field")).isEqualTo("since");
    Http.Response farAge = Http.get(admin + "/admin/postbacks?since=99999999999999d", ADMIN);
    assertThat(farAge.status()).as(farAge.body()).isEqualTo(400);
    Http.Response bulk = Http.post(admin + "/admin/postbacks/replay", "application/json",
        new JsonObject().put("since", "1h").put("limit", "lots").encode(), ADMIN);
    assertThat(bulk.status()).as(bulk.body()).isEqualTo(400);
    assertThat(bulk.json().getString("field")).isEqualTo("limit");
    assertThat(Http.get(admin + "/admin/postbacks?limit=1", Map.of("Authorization", "bearer admin-secret")).status())
        .as("RFC 7235: the scheme name is case-insensitive").isEqualTo(200);
    assertThat(Http.get(admin + "/admin/postbacks?limit=1", Map.of("Authorization", "BEARER admin-secret")).status())
        .isEqualTo(200);
  }

  @Test
  void adminListCancelBulkReplayAndItsAuth() {
    assertThat(Http.get(admin + "/admin/postbacks", Map.of()).status()).isEqualTo(401);
    String a = id();
    String b = id();
    dest.script(a, Action.status(400));
    dest.script(b, Action.status(400));
    long ida = payout("ringba-payout", a, "1").json().getLong("id");
    long idb = payout("ringba-payout", b, "1").json().getLong("id");
    awaitStatus(ida, "dead");
    awaitStatus(idb, "dead");
    Http.Response bad = Http.get(admin + "/admin/postbacks?status=weird", ADMIN);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("field")).isEqualTo("status");
    JsonArray dead = Http.get(admin + "/admin/postbacks?status=dead&route=ringba-payout&since=1h&limit=500", ADMIN)
        .json().getJsonArray("postbacks");
    assertThat(dead.stream().map(o -> ((JsonObject) o).getLong("id"))).contains(ida, idb);
    assertThat(Http.post(admin + "/admin/postbacks/replay", "application/json", "{\"status\":\"dead\"}", ADMIN).json()
        .getString("field")).isEqualTo("since");
    JsonObject replayed = Http.post(admin + "/admin/postbacks/replay", "application/json",
        new JsonObject().put("status", "dead").put("route", "ringba-payout").put("since", "1h").put("limit", 10000)
            .encode(), ADMIN).json();
    assertThat(replayed.getJsonArray("ids").stream().map(o -> ((Number) o).longValue())).contains(ida, idb);
    awaitStatus(ida, "delivered");
    awaitStatus(idb, "delivered");
    // Cancel: a pending row stops; a delivered row cannot be cancelled.
    String c = id();
    long idc = payout("settled", c, "1").json().getLong("id");
    assertThat(Http.post(admin + "/admin/postbacks/" + idc + "/cancel", null, null, ADMIN).status()).isEqualTo(200);
    assertThat(row(idc).getString("status")).isEqualTo("cancelled");
    assertThat(Http.post(admin + "/admin/postbacks/" + ida + "/cancel", null, null, ADMIN).status()).isEqualTo(409);
    assertThat(Http.get(admin + "/admin/postbacks/999999999", ADMIN).status()).isEqualTo(404);
    sentExactly(idc, c, 0);
  }

  @Test
  void metricsCountAcceptedDuplicatesRejectedAttemptsAndDelay() {
    String uuid = id();
    long id = payout("ringba-payout", uuid, "2").json().getLong("id");
    payout("ringba-payout", uuid, "2");
    payout("ringba-payout", id(), "nope");
    awaitStatus(id, "delivered");
    Eventually.until("the depth gauge scraped", () -> Http.get(admin + "/metrics").body()
        .contains("callbridge_outbox_depth{status=\"pending\"}"));
    String m = Http.get(admin + "/metrics").body();
    assertThat(m).contains("callbridge_postback_accepted_total{result=\"accepted\",route=\"ringba-payout\"}")
        .contains("callbridge_postback_duplicates_total{route=\"ringba-payout\"}")
        .contains("callbridge_postback_rejected_total{reason=\"invalid\",route=\"ringba-payout\"}")
        .contains("callbridge_outbox_attempts_total{destination=\"td\",outcome=\"delivered\"}")
        .contains("callbridge_outbox_delivery_delay_seconds_bucket")
        .contains("callbridge_outbox_oldest_pending_seconds");
  }
}
