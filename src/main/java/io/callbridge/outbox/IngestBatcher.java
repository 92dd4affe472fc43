package io.callbridge.outbox;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Group commit for ingest. The first envelope goes to PostgreSQL at once; envelopes that arrive
 * while {@code maxInFlight} statements are committing wait and then go together as one multi-row
 * {@code INSERT … ON CONFLICT DO NOTHING RETURNING}: one statement, one commit, one fsync for all of
 * them. Rows the insert did not return collided with an existing key and are read back afterwards
 * (never check-then-insert). Callable from any event loop; lock-free.
 */
final class IngestBatcher {
  private record Item(Envelope envelope, String fingerprint, Promise<Enqueued> promise,
      java.util.concurrent.atomic.AtomicInteger retries) {
    Item(Envelope envelope, String fingerprint, Promise<Enqueued> promise) {
      this(envelope, fingerprint, promise, new java.util.concurrent.atomic.AtomicInteger());
    }
  }

  /** How often a row whose key collided with a row that is then not found is tried again as new. */
  static final int MAX_REQUEUES = 3;

  private final Pool pool;
  private final Clock clock;
  private final int maxInFlight;
  private final int maxBatch;
  private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  IngestBatcher(Pool pool, Clock clock, int maxInFlight, int maxBatch) {
    this.pool = pool;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.maxBatch = maxBatch;
  }

  /** Submitted and not yet answered; when PostgreSQL last answered a batch while some were waiting. */
  private final java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long progressMs;

  /**
   * Why ingest is stuck, if it is: postbacks have waited longer than {@code after} and PostgreSQL
   * has answered no batch meanwhile (a lock, a hung connection), while it may still answer a query.
   */
  java.util.Optional<String> stuck(java.time.Duration after) {
    int waiting = outstanding.get();
    long quiet = clock.millis() - progressMs;
    return waiting > 0 && quiet > after.toMillis()
        ? java.util.Optional.of(waiting + " postback(s) waiting " + quiet / 1000 + " s for PostgreSQL to commit them")
        : java.util.Optional.empty();
  }

  Future<Enqueued> submit(Envelope envelope, String fingerprint) {
    Promise<Enqueued> promise = Promise.promise();
    if (outstanding.getAndIncrement() == 0) {
      progressMs = clock.millis();
    }
    promise.future().onComplete(ar -> {
      outstanding.decrementAndGet();
      progressMs = clock.millis();
    });
    queue.add(new Item(envelope, fingerprint, promise));
    flush();
    // The batch completes on whichever event loop ran its statement: answer on the caller's own.
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return promise.future();
    }
    Promise<Enqueued> onCaller = Promise.promise();
    promise.future().onComplete(ar -> caller.runOnContext(v -> onCaller.handle(ar)));
    return onCaller.future();
  }

  private void flush() {
    while (true) {
      int n = inFlight.get();
      if (n >= maxInFlight || queue.isEmpty()) {
        return; // a batch that completes calls flush again
      }
      if (!inFlight.compareAndSet(n, n + 1)) {
        continue;
      }
      List<Item> batch = new ArrayList<>();
      Item item;
      while (batch.size() < maxBatch && (item = queue.poll()) != null) {
        batch.add(item);
      }
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      insert(batch, 0).onComplete(ar -> {
        inFlight.decrementAndGet();
        if (ar.failed()) {
          batch.forEach(i -> i.promise.tryFail(ar.cause()));
        }
        flush();
      });
    }
  }

  private Future<Void> insert(List<Item> batch, int retries) {
    // One order for every batch: concurrent batches sharing keys then wait on each other, never deadlock.
    List<Item> sorted = batch.stream()
        .sorted(Comparator.comparing((Item i) -> i.envelope.route()).thenComparing(i -> i.envelope.idempotencyKey()))
        .toList();
    long now = clock.millis();
    return pool.preparedQuery(OutboxSql.INSERT_BATCH).execute(columns(sorted, now))
        .compose(rows -> settle(sorted, rows))
        .recover(err -> {
          if (retries < 3 && err instanceof PgException pg && "40P01".equals(pg.getSqlState())) {
            return insert(batch, retries + 1);
          }
          if (batch.size() > 1 && err instanceof PgException pg && isRowData(pg.getSqlState())) {
            // One row PostgreSQL refuses (its data) must not fail the others: each is tried on its own,
            // once; only the bad one fails (and is answered "not stored").
            List<Future<Void>> each = new ArrayList<>();
            for (Item item : batch) {
              each.add(insert(List.of(item), retries).onFailure(e -> item.promise.tryFail(e)));
            }
            return Future.join(each).<Void>mapEmpty().recover(e -> Future.succeededFuture());
          }
          return Future.failedFuture(err);
        });
  }

  /** A refusal of a row's data (class 22: bad encoding, NUL, value out of range), not of the database. */
  static boolean isRowData(String sqlState) {
    return sqlState != null && sqlState.startsWith("22");
  }

  private Tuple columns(List<Item> items, long now) {
    return columns(items, now, null, null);
  }

  private Tuple columns(List<Item> items, long now, String statusOverride, Long related) {
    int n = items.size();
    String[] flow = new String[n], route = new String[n], key = new String[n], once = new String[n],
        call = new String[n], kind = new String[n], status = new String[n], fp = new String[n], dest = new String[n],
        method = new String[n], uri = new String[n], headers = new String[n], rawMethod = new String[n],
        rawQuery = new String[n], fields = new String[n], rid = new String[n], sched = new String[n],
        problems = new String[n];
    Buffer[] body = new Buffer[n], rawBody = new Buffer[n];
    Float[] jitter = new Float[n];
    Long[] due = new Long[n], created = new Long[n], relatedIds = new Long[n], stale = new Long[n];
    String[] matchKeys = new String[n];
    for (int i = 0; i < n; i++) {
      Envelope e = items.get(i).envelope;
      flow[i] = e.flow();
      route[i] = e.route();
      key[i] = e.idempotencyKey();
      once[i] = e.onceKey().orElse(null);
      call[i] = e.callId().orElse(null);
      kind[i] = e.eventKind();
      status[i] = statusOverride != null ? statusOverride : e.hold().isPresent() ? e.hold().get().status()
          : e.request().isPresent() ? "pending" : "unmatched";
      problems[i] = e.hold().map(Envelope.Hold::reason).orElse(null);
      matchKeys[i] = e.hold().filter(h -> !h.matchKeys().isEmpty()).map(h -> String.join("\n", h.matchKeys()))
          .orElse(null);
      stale[i] = e.staleAt().map(java.time.Instant::toEpochMilli).orElse(null);
      fp[i] = items.get(i).fingerprint;
      dest[i] = e.destination();
      StoredRequest r = e.request().orElse(null);
      method[i] = r == null ? "" : r.method();
      uri[i] = r == null ? "" : r.uri();
      headers[i] = r == null ? "{}" : new JsonObject(new HashMap<>(r.headers())).encode();
      body[i] = Buffer.buffer(r == null ? new byte[0] : r.body());
      rawMethod[i] = e.raw().method();
      rawQuery[i] = e.raw().query();
      rawBody[i] = Buffer.buffer(e.raw().body());
      fields[i] = new JsonObject(e.raw().fields()).encode();
      rid[i] = e.raw().requestId();
      sched[i] = Arrays.stream(e.schedule().millis()).mapToObj(Long::toString)
          .collect(Collectors.joining(",", "{", "}"));
      jitter[i] = (float) e.schedule().jitter();
      // The first attempt waits for the settle window, then for the schedule's first delay (jittered).
      due[i] = now + e.settleWindow().toMillis()
          + e.schedule().delayBefore(0, java.util.concurrent.ThreadLocalRandom.current()).toMillis();
      if (r == null && "unmatched".equals(status[i])) {
        // Just looked up at ingest: its first look-up again is a second later (or when a link wakes it).
        due[i] = Math.max(due[i], now + 1000);
      }
      created[i] = now;
      relatedIds[i] = related;
    }
    return Tuple.of(flow, route, key, once, call, kind, status, fp, dest, method, uri, headers)
        .addValue(body).addValue(rawMethod).addValue(rawQuery).addValue(rawBody).addValue(fields).addValue(rid)
        .addValue(sched).addValue(jitter).addValue(due).addValue(created).addValue(relatedIds).addValue(problems)
        .addValue(stale).addValue(matchKeys);
  }

  /** Completes the created ones; reads back what the others collided with and decides their fate. */
  private Future<Void> settle(List<Item> items, RowSet<Row> inserted) {
    Map<String, Row> created = new HashMap<>();
    for (Row row : inserted) {
      created.put(row.getString("route") + '\u0000' + row.getString("idem_key"), row);
    }
    List<Item> collided = new ArrayList<>();
    for (Item item : items) {
      Row row = created.remove(keyOf(item.envelope));
      if (row != null) {
        item.promise.complete(new Enqueued(row.getLong("id"), Enqueued.Result.CREATED, row.getString("status"),
            Optional.empty()));
      } else {
        collided.add(item);
      }
    }
    if (collided.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] routes = collided.stream().map(i -> i.envelope.route()).toArray(String[]::new);
    String[] keys = collided.stream().map(i -> i.envelope.idempotencyKey()).toArray(String[]::new);
    String[] onces = collided.stream().map(i -> i.envelope.onceKey().orElse(null)).filter(java.util.Objects::nonNull)
        .toArray(String[]::new);
    return pool.preparedQuery(OutboxSql.FIND_EXISTING).execute(Tuple.of(routes, keys, onces)).compose(rows -> {
      Map<String, Row> byKey = new HashMap<>();
      Map<String, Row> byOnce = new HashMap<>();
      for (Row row : rows) {
        byKey.put(row.getString("route") + '\u0000' + row.getString("idem_key"), row);
        if (row.getString("once_key") != null) {
          byOnce.put(row.getString("once_key"), row);
        }
      }
      List<Future<?>> pending = new ArrayList<>();
      for (Item item : collided) {
        Row existing = byKey.get(keyOf(item.envelope));
        if (existing == null) {
          existing = item.envelope.onceKey().map(byOnce::get).orElse(null);
        }
        pending.add(resolve(item, existing));
      }
      return Future.join(pending).mapEmpty();
    });
  }

  private Future<Void> resolve(Item item, Row existing) {
    if (existing == null) {
      // The row we collided with is gone (deleted): try again as new, a few times, never forever.
      if (item.retries().incrementAndGet() > MAX_REQUEUES) {
        item.promise.tryFail(new IllegalStateException("postback " + item.envelope.idempotencyKey()
            + " collides with a row that cannot be read back (" + MAX_REQUEUES + " tries): not acknowledged"));
        return Future.succeededFuture();
      }
      queue.add(item);
      return Future.succeededFuture();
    }
    long id = existing.getLong("id");
    String status = existing.getString("status");
    if (existing.getString("fingerprint").equals(item.fingerprint) || item.envelope.request().isEmpty()
        || existing.getString("status").equals("unmatched") || existing.getString("status").equals("dead")
            && existing.getInteger("attempts") == 0) {
      item.promise.complete(new Enqueued(id, Enqueued.Result.DUPLICATE, status, Optional.empty()));
      return Future.succeededFuture();
    }
    Envelope e = item.envelope;
    Future<Boolean> superseded = !e.settleWindow().isZero() && "pending".equals(status)
        && existing.getInteger("attempts") == 0 && existing.getString("lease_owner") == null
        ? supersede(id, item) : Future.succeededFuture(false);
    return superseded.compose(done -> {
      if (done) {
        item.promise.complete(new Enqueued(id, Enqueued.Result.SUPERSEDED, "pending", Optional.empty()));
        return Future.succeededFuture();
      }
      if (e.oncePerCall()) {
        return sideRow(item, id, "conflict", Enqueued.Result.CONFLICT);
      }
      if ("postback".equals(e.flow()) && e.hold().isEmpty()) {
        // A different later value for the same call: update_call takes absolute values, so it is a
        // correction to deliver after the earlier row, and the latest wins.
        return sideRow(item, id, "correction", Enqueued.Result.CORRECTION);
      }
      item.promise.complete(new Enqueued(id, Enqueued.Result.DUPLICATE, status, Optional.empty()));
      return Future.succeededFuture();
    });
  }

  private Future<Boolean> supersede(long id, Item item) {
    Envelope e = item.envelope;
    StoredRequest r = e.request().orElseThrow();
    Tuple t = Tuple.of(id, r.method(), r.uri(), new JsonObject(new HashMap<>(r.headers())).encode(),
        Buffer.buffer(r.body()), e.raw().method(), e.raw().query(), Buffer.buffer(e.raw().body()))
        .addValue(new JsonObject(e.raw().fields()).encode()).addValue(item.fingerprint).addValue(e.raw().requestId())
        .addValue(clock.millis());
    return pool.preparedQuery(OutboxSql.SUPERSEDE).execute(t).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Stores the different later value as its own row pointing at the first, keyed by what it would
   * send (so copies of it dedupe): a {@code conflict} (stored, never sent) for a once-per-call
   * destination, a {@code correction} (pending, sent after the earlier rows of its call) otherwise.
   */
  private Future<Void> sideRow(Item item, long original, String kind, Enqueued.Result result) {
    Envelope e = item.envelope;
    String key = e.idempotencyKey() + "#" + kind + ":" + item.fingerprint;
    Envelope c = new Envelope(e.flow(), e.route(), key, e.eventKind(), e.callId(), false, e.destination(),
        e.request(), e.schedule(), e.settleWindow(), e.raw(), e.hold(), e.staleAt());
    List<Item> one = List.of(new Item(c, item.fingerprint, Promise.promise()));
    String status = result == Enqueued.Result.CONFLICT ? "conflict" : null;
    Tuple t = columns(one, clock.millis(), status, original);
    return pool.preparedQuery(OutboxSql.INSERT_BATCH).execute(t).compose(rows -> {
      if (rows.iterator().hasNext()) {
        Row row = rows.iterator().next();
        return Future.succeededFuture(new Enqueued(row.getLong("id"), result, row.getString("status"),
            Optional.of(original)));
      }
      return pool.preparedQuery(OutboxSql.FIND_EXISTING)
          .execute(Tuple.of(new String[] {e.route()}, new String[] {key}, new String[0]))
          .map(found -> {
            Row row = found.iterator().next();
            return result == Enqueued.Result.CONFLICT
                ? new Enqueued(row.getLong("id"), result, row.getString("status"), Optional.of(original))
                : new Enqueued(row.getLong("id"), Enqueued.Result.DUPLICATE, row.getString("status"), Optional.empty());
          });
    }).map(enqueued -> {
      item.promise.complete(enqueued);
      return null;
    });
  }

  private static String keyOf(Envelope e) {
    return e.route() + '\u0000' + e.idempotencyKey();
  }

  int queued() {
    return queue.size();
  }
}
