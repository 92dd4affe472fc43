package io.callbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.store.Database;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.FakeDestination;
import io.callbridge.testing.FakeDestination.Action;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.callbridge.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several delivery workers on one table: each row handed out once, a dead worker's row comes back
 * after its lease, a worker that lost its lease cannot overwrite the new holder's result, a slow
 * but live worker keeps its claim. And retention: finished rows go after correlation.retention,
 * rows that wait for someone stay.
 */
@ExtendWith(VertxExtension.class)
class OutboxWorkersTest {
  static final String YAML = """
      server: { accessLog: false, instances: 1 }
      correlation: { purgeBatch: 2 }
      destinations:
        dest: { baseUrl: "http://127.0.0.1:%1$d", allowPrivate: true, requestTimeout: 3s }
        narrow: { baseUrl: "http://127.0.0.1:%1$d", allowPrivate: true, requestTimeout: 3s, poolSize: 2, connectTimeout: 200ms }
      routes:
        - name: r
          kind: postback
          auth: { token: t }
          callIdField: trackdrive_call_uuid
          targets: [ { destination: dest, template: trackdrive-update-call } ]
      """;
  static final Outbox.Options FAST = new Outbox.Options(Duration.ofMillis(50), Duration.ofMillis(300), 64, 512, true,
      java.time.Duration.ofHours(48));

  static FakeDestination dest;
  static PostgresConfig db;
  static CallBridgeConfig config;
  static Vertx vertx;
  final List<Outbox> started = new ArrayList<>();
  final List<Database> pools = new ArrayList<>();

  @BeforeAll
  static void setUp(Vertx injected) {
    dest = FakeDestination.start();
    db = TestDb.freshSchema(OutboxWorkersTest.class);
    config = TestConfigs.forTest(YAML.formatted(dest.port()), db);
    Database.migrate(db);
    vertx = injected; // vertx-junit5's, closed after the class
  }

  @AfterEach
  void stopOutboxes() {
    started.forEach(o -> o.stop().await());
    pools.forEach(p -> p.close().await());
    started.clear();
    pools.clear();
  }

  @AfterAll
  static void tearDown() {
    dest.close();
    TestDb.drop(db);
  }

  Outbox outbox(boolean deliver) {
    Database database = Database.open(vertx, db);
    pools.add(database);
    Metrics metrics = new Metrics();
    Clock clock = Clock.systemUTC();
    Upstream upstream = Upstream.create(vertx, config.destinations(), metrics, clock);
    Outbox o = Outbox.create(vertx, config, database, metrics, clock, new UpstreamSender(upstream, clock),
        new Outbox.Options(FAST.pollInterval(), FAST.leaseMargin(), FAST.maxInFlight(), FAST.maxBatch(), deliver, FAST.rematchWindow()));
    o.start().await();
    started.add(o);
    return o;
  }

  static Envelope envelope(String call) {
    byte[] body = ("{\"payout\":1,\"call\":\"" + call + "\"}").getBytes(StandardCharsets.UTF_8);
    StoredRequest req = new StoredRequest("dest", "POST", "/api/v1/calls/update_call/" + call,
        Map.of("Content-Type", "application/json"), body);
    return new Envelope("postback", "r", "payout|" + call, "payout", Optional.of(call), false, "dest",
        Optional.of(req), new Schedule(List.of(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(100)), 0),
        Duration.ZERO, new Envelope.Raw("POST", "", body, Map.of("trackdrive_call_uuid", call), "rid"), Optional.empty(),
        Optional.empty());
  }

  static Map<String, Object> row(long id) {
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT status, attempts, ambiguous, lease_owner, "
            + "(SELECT count(*) FROM outbox_attempt a WHERE a.outbox_id = o.id) AS logged, "
            + "(SELECT count(DISTINCT worker) FROM outbox_attempt a WHERE a.outbox_id = o.id) AS workers "
            + "FROM outbox o WHERE id = " + id)) {
      rs.next();
      Map<String, Object> m = new HashMap<>();
      for (String k : List.of("status", "attempts", "ambiguous", "lease_owner", "logged", "workers")) {
        m.put(k, rs.getObject(k));
      }
      return m;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void eventually(Supplier<Boolean> condition, Duration within, String what) {
    Eventually.value(what, within, () -> condition.get() ? Optional.of(true) : Optional.empty());
  }

  @Test
  void retentionDeletesOnlyFinishedRowsOlderThanTheRetention() throws Exception {
    Outbox o = outbox(false);
    String[] statuses = {"delivered", "reconciled", "cancelled", "pending", "dead", "unmatched", "conflict"};
    Map<String, Long> old = new HashMap<>();
    Map<String, Long> recent = new HashMap<>();
    for (String status : statuses) {
      old.put(status, o.enqueue(envelope("old-" + status + "-" + UUID.randomUUID())).await().id());
      recent.put(status, o.enqueue(envelope("new-" + status + "-" + UUID.randomUUID())).await().id());
    }
    // A delivered row created long ago but updated (replayed, delivered) within the retention stays too.
    long replayed = o.enqueue(envelope("replayed-" + UUID.randomUUID())).await().id();
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement()) {
      for (String status : statuses) {
        s.execute("UPDATE outbox SET status = '" + status + "', created_at = now() - interval '40 days', "
            + "updated_at = now() - interval '36 days' WHERE id = " + old.get(status));
        s.execute("UPDATE outbox SET status = '" + status + "', created_at = now() - interval '34 days', "
            + "updated_at = now() - interval '34 days' WHERE id = " + recent.get(status));
      }
      s.execute("UPDATE outbox SET status = 'delivered', created_at = now() - interval '40 days', "
          + "updated_at = now() - interval '1 day' WHERE id = " + replayed);
      s.execute("INSERT INTO outbox_attempt (outbox_id, attempt, worker, started_at, latency_ms, outcome, kind) "
          + "VALUES (" + old.get("delivered") + ", 1, 'w', now() - interval '40 days', 5, 'delivered', 'ok')");
    }
    // Three rows to go with batches of two: the purge goes on until a batch comes back short.
    assertThat(o.purgeFinished().await()).isEqualTo(3L);
    Set<Long> left = new HashSet<>();
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM outbox")) {
      while (rs.next()) {
        left.add(rs.getLong(1));
      }
      try (ResultSet attempts = s.executeQuery("SELECT count(*) FROM outbox_attempt WHERE outbox_id = " + old.get("delivered"))) {
        attempts.next();
        assertThat(attempts.getLong(1)).as("attempts go with their row").isZero();
      }
    }
    for (String status : statuses) {
      boolean finished = List.of("delivered", "reconciled", "cancelled").contains(status);
      assertThat(left.contains(old.get(status))).as("old " + status).isEqualTo(!finished);
      assertThat(left).as("recent " + status).contains(recent.get(status));
    }
    assertThat(left).contains(replayed);
    assertThat(o.purgeFinished().await()).isZero();
  }

  @Test
  void twoInstancesOnOneTableDeliverEachRowOnce() {
    Outbox a = outbox(true);
    Outbox b = outbox(true);
    List<String> calls = new ArrayList<>();
    List<Future<Enqueued>> enqueued = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String call = "two-" + UUID.randomUUID();
      calls.add(call);
      enqueued.add((i % 2 == 0 ? a : b).enqueue(envelope(call)));
    }
    Future.all(enqueued).await();
    eventually(() -> calls.stream().allMatch(c -> !dest.forCall(c).isEmpty()), Duration.ofSeconds(20), "all delivered");
    eventually(() -> TestDb.count(db, "SELECT count(*) FROM outbox WHERE call_id LIKE 'two-%' AND status <> 'delivered'") == 0,
        Duration.ofSeconds(20), "every row final, nothing left for either worker to send");
    for (String c : calls) {
      assertThat(dest.forCall(c)).as("deliveries of " + c).hasSize(1);
    }
    Set<String> workers = new HashSet<>();
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DISTINCT worker FROM outbox_attempt a JOIN outbox o ON o.id = a.outbox_id "
            + "WHERE o.call_id LIKE 'two-%'")) {
      while (rs.next()) {
        workers.add(rs.getString(1));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertThat(workers).as("both instances delivered").containsExactlyInAnyOrder(a.workerId(), b.workerId());
  }

  @Test
  void aDeadWorkersRowComesBackAfterItsLeaseAndIsMarkedAmbiguous() {
    Outbox ingest = outbox(false);
    String call = "dead-" + UUID.randomUUID();
    long id = ingest.enqueue(envelope(call).withSettleWindow(Duration.ofSeconds(30))).await().id();
    // A worker claimed it and died mid-request: its lease runs one more second.
    TestDb.exec(db, "UPDATE outbox SET lease_owner = 'dead-worker', next_attempt_at = now() + interval '1 second' "
        + "WHERE id = " + id);
    long claimedAt = System.currentTimeMillis();
    outbox(true);
    eventually(() -> "delivered".equals(row(id).get("status")), Duration.ofSeconds(5), "delivered after the lease");
    assertThat(dest.forCall(call)).hasSize(1);
    assertThat(dest.forCall(call).get(0).atMillis() - claimedAt).isGreaterThanOrEqualTo(800);
    assertThat(row(id).get("ambiguous")).as("the dead worker may have sent it").isEqualTo(true);
  }

  @Test
  void aWorkerThatLostItsLeaseCannotOverwriteTheNewHoldersResult() {
    Outbox a = outbox(true);
    String call = "lost-" + UUID.randomUUID();
    dest.script(call, new Action(500, Map.of(), 1500), Action.status(200));
    long id = a.enqueue(envelope(call)).await().id();
    eventually(() -> dest.forCall(call).size() == 1, Duration.ofSeconds(5), "first request in flight");
    // The lease is taken away while the request runs (as if it had expired): another worker claims it.
    TestDb.exec(db, "UPDATE outbox SET lease_owner = 'someone-else', next_attempt_at = now() WHERE id = " + id);
    Outbox b = outbox(true);
    eventually(() -> "delivered".equals(row(id).get("status")), Duration.ofSeconds(5), "delivered by the new holder");
    eventually(() -> ((Number) row(id).get("logged")).intValue() == 2, Duration.ofSeconds(5), "both attempts logged");
    Map<String, Object> r = row(id); // the stale worker's 500 is its second logged attempt: it has answered
    assertThat(r.get("status")).as("the stale 500 did not turn it back to pending").isEqualTo("delivered");
    assertThat(r.get("ambiguous")).isEqualTo(true);
    assertThat(dest.forCall(call)).as("at least once: the destination saw both").hasSize(2);
    assertThat(b.workerId()).isNotEqualTo(a.workerId());
  }

  @Test
  void aSlowButLiveWorkerKeepsItsClaim() {
    outbox(true);
    outbox(true);
    String call = "slow-" + UUID.randomUUID();
    dest.script(call, Action.slow(2000));
    Outbox ingest = outbox(false);
    long id = ingest.enqueue(envelope(call)).await().id();
    eventually(() -> "delivered".equals(row(id).get("status")), Duration.ofSeconds(6), "delivered");
    assertThat(dest.forCall(call)).hasSize(1);
    assertThat(row(id).get("attempts")).isEqualTo(1);
  }

  @Test
  void aDeferralUsesNoAttemptAndWritesNoAttemptRow() {
    // The sender finds no pooled connection (our own back-pressure) for every row of this call.
    String call = "deferred-" + UUID.randomUUID();
    Database database = Database.open(vertx, db);
    pools.add(database);
    Sender ownPoolFull = (request, timeout) -> io.vertx.core.Future.succeededFuture(
        Sender.Result.failure(Sender.Kind.NOT_SENT, "no pooled connection within 500ms: all 1 in use"));
    Outbox o = Outbox.create(vertx, config, database, new Metrics(), Clock.systemUTC(), ownPoolFull,
        new Outbox.Options(FAST.pollInterval(), FAST.leaseMargin(), FAST.maxInFlight(), FAST.maxBatch(), true,
            FAST.rematchWindow()));
    o.start().await();
    started.add(o);
    long id = o.enqueue(envelope(call)).await().id();
    eventually(() -> TestDb.count(db, "SELECT count(*) FROM outbox WHERE id = " + id
        + " AND lease_owner IS NULL AND last_error LIKE 'no pooled connection%'") == 1, Duration.ofSeconds(5),
        "deferred once");
    Map<String, Object> r = row(id);
    assertThat(r.get("status")).isEqualTo("pending");
    assertThat(r.get("attempts")).as("a deferral is not an attempt").isEqualTo(0);
    assertThat(((Number) r.get("logged")).intValue()).as("nor an attempt row").isZero();
  }

  @Test
  void oneRowPostgresRefusesNeverFailsTheOthersInItsBatch() {
    Outbox ingest = outbox(false);
    List<io.vertx.core.Future<Enqueued>> all = new ArrayList<>();
    String bad = "poison-" + UUID.randomUUID();
    for (int i = 0; i < 40; i++) {
      String call = i == 17 ? bad : "batch-" + i + "-" + UUID.randomUUID();
      Envelope e = envelope(call);
      if (i == 17) {
        // What the edge refuses, should it ever get this far: a NUL in a field (jsonb rejects it).
        e = new Envelope(e.flow(), e.route(), e.idempotencyKey(), e.eventKind(), e.callId(), e.oncePerCall(),
            e.destination(), e.request(), e.schedule(), e.settleWindow(), new Envelope.Raw("POST", "",
                e.raw().body(), Map.of("note", "a\u0000b"), "rid"), e.hold(), e.staleAt());
      }
      all.add(ingest.enqueue(e));
    }
    io.vertx.core.Future.join(all).otherwiseEmpty().await();
    assertThat(all.get(17).failed()).as("the bad row alone is not stored").isTrue();
    assertThat(all.stream().filter(io.vertx.core.Future::succeeded).count()).isEqualTo(39);
    assertThat(TestDb.count(db, "SELECT count(*) FROM outbox WHERE call_id LIKE 'batch-%'")).isGreaterThanOrEqualTo(39);
    assertThat(TestDb.count(db, "SELECT count(*) FROM outbox WHERE call_id = '" + bad + "'")).isZero();
  }

  @Test
  void aSlowDestinationGetsOnlyWhatItsPoolCanTakeSoNothingWaitsForAConnection() {
    Database database = Database.open(vertx, db);
    pools.add(database);
    Metrics metrics = new Metrics();
    Upstream upstream = Upstream.create(vertx, config.destinations(), metrics, Clock.systemUTC());
    Outbox o = Outbox.create(vertx, config, database, metrics, Clock.systemUTC(),
        new UpstreamSender(upstream, Clock.systemUTC()), FAST);
    o.start().await();
    started.add(o);
    List<Long> ids = new ArrayList<>();
    List<String> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String call = "narrow-" + i + "-" + UUID.randomUUID();
      calls.add(call);
      dest.script(call, Action.slow(400)); // slower than the 200 ms a pooled connection may be waited for
      Envelope e = envelope(call);
      StoredRequest r = e.request().orElseThrow();
      e = new Envelope(e.flow(), e.route(), e.idempotencyKey(), e.eventKind(), e.callId(), e.oncePerCall(), "narrow",
          Optional.of(new StoredRequest("narrow", r.method(), r.uri(), r.headers(), r.body())), e.schedule(),
          e.settleWindow(), e.raw(), e.hold(), e.staleAt());
      ids.add(o.enqueue(e).await().id());
    }
    eventually(() -> ids.stream().allMatch(id -> "delivered".equals(row(id).get("status"))), Duration.ofSeconds(15),
        "all delivered");
    for (long id : ids) {
      assertThat(row(id).get("attempts")).as("row " + id + ": one attempt, no other").isEqualTo(1);
    }
    assertThat(metrics.scrape()).as("no row waited for our own pool").doesNotContain("outcome=\"deferred\"")
        .contains("callbridge_upstream_requests_total{destination=\"narrow\",outcome=\"no_connection\"} 0.0");
    assertThat(calls).allSatisfy(c -> assertThat(dest.forCall(c)).hasSize(1));
  }

  @Test
  void aRowThatCollidesWithARowItCannotReadBackFailsAfterAFewTriesNeverLoops() throws Exception {
    // A trigger swallows this call's insert: ON CONFLICT DO NOTHING returns nothing (as for a collision),
    // and the row it "collided with" cannot be found. That must end, not re-insert forever.
    TestDb.exec(db, "CREATE OR REPLACE FUNCTION swallow_row() RETURNS trigger AS $$ BEGIN "
        + "IF NEW.call_id LIKE 'swallowed-%' THEN RETURN NULL; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
    TestDb.exec(db, "CREATE TRIGGER swallow_row BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION swallow_row()");
    try {
      Outbox ingest = outbox(false);
      io.vertx.core.Future<Enqueued> f = ingest.enqueue(envelope("swallowed-" + UUID.randomUUID()));
      io.vertx.core.Future<Throwable> outcome = f.transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()));
      Throwable why = outcome.await(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(why).as("answered (not stored), not looping").isNotNull();
      assertThat(why.getMessage()).contains("cannot be read back");
      assertThat(ingest.enqueue(envelope("fine-" + UUID.randomUUID())).await().result())
          .as("and ingest goes on").isEqualTo(Enqueued.Result.CREATED);
    } finally {
      TestDb.exec(db, "DROP TRIGGER IF EXISTS swallow_row ON outbox");
    }
  }
}
