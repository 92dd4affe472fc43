package io.callbridge.outbox;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Claims due rows ({@code FOR UPDATE SKIP LOCKED}) under a lease longer than the destination's
 * request timeout plus a margin, renews the lease while requests run, sends through the
 * {@link Sender}, records every attempt and schedules the next. Wakes on {@code LISTEN} (the
 * insert trigger's {@code NOTIFY}) and polls as well. All state lives on this verticle's context.
 */
final class DeliveryWorker extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(DeliveryWorker.class.getName());

  private record Claimed(long id, String token, String route, StoredRequest request, long[] schedule, double jitter, int attempts,
      boolean ambiguous, boolean once, long createdAt, String callId, Long staleAt) {}

  private final Pool pool;
  private final PgConnectOptions listen;
  private final String channel;
  private final Sender sender;
  private final Clock clock;
  private final String workerId;
  private final Function<String, Duration> requestTimeout;
  private final Duration lease;
  private final Duration pollInterval;
  private final int maxInFlight;
  private final OutboxMetrics metrics;
  private final java.util.function.Consumer<Outbox.Delivered> onDelivered;

  /** One attempt's row update and log line, waiting to be written with the others that finished meanwhile. */
  private record Completion(long id, String token, String status, int attempts, boolean ambiguous, long nextAt,
      Integer httpStatus, String error, long now, long started, int latencyMs, String outcome, String kind,
      String response, long until, Promise<Void> written) {}

  private final java.util.ArrayDeque<Completion> completions = new java.util.ArrayDeque<>();
  private int completing;
  private final Map<Long, String> inFlight = new HashMap<>();
  /**
   * How many requests each destination may have in flight from this worker: its connections on the
   * worker's event loop. A worker claims only what it can send now, so no row waits for a pooled
   * connection (our own back-pressure never becomes a deferral, let alone an attempt).
   */
  private final Map<String, Integer> caps;
  private final Map<String, Integer> busy = new HashMap<>();
  private int nextDestination;
  private long claims;
  private final Map<Long, Promise<Void>> running = new HashMap<>();
  private PgSubscriber subscriber;
  private boolean claiming;
  private boolean again;
  private boolean stopping;
  private long pollTimer = -1;
  private long renewTimer = -1;

  DeliveryWorker(Pool pool, PgConnectOptions listen, String channel, Sender sender, Clock clock, String workerId,
      Function<String, Duration> requestTimeout, Duration lease, Duration pollInterval, int maxInFlight,
      OutboxMetrics metrics, java.util.function.Consumer<Outbox.Delivered> onDelivered, Map<String, Integer> caps) {
    this.onDelivered = onDelivered;
    this.caps = Map.copyOf(caps);
    this.pool = pool;
    this.listen = listen;
    this.channel = channel;
    this.sender = sender;
    this.clock = clock;
    this.workerId = workerId;
    this.requestTimeout = requestTimeout;
    this.lease = lease;
    this.pollInterval = pollInterval;
    this.maxInFlight = maxInFlight;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    subscriber = PgSubscriber.subscriber(vertx, listen).reconnectPolicy(retries -> 1000L);
    subscriber.channel(channel).handler(payload -> pump()).subscribeHandler(v -> pump());
    // LISTEN is an optimisation: a database away at start-up must not stop the worker, polling covers it.
    subscriber.connect().onFailure(err -> LOG.warning("LISTEN " + channel + " failed (" + err.getMessage()
        + "); delivery continues by polling every " + pollInterval.toMillis() + "ms"));
    renewTimer = vertx.setPeriodic(Math.max(100, lease.toMillis() / 3), t -> renew());
    pump();
    return Future.succeededFuture();
  }

  /** Claims as many due rows as there is room for; called on wake-up, on the poll timer, and when rows finish. */
  private void pump() {
    if (stopping) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    if (maxInFlight - inFlight.size() <= 0) {
      return;
    }
    claiming = true;
    again = false;
    // Each destination in turn (a different one first each time), for what it can take now.
    List<String> order = new java.util.ArrayList<>(caps.keySet());
    java.util.Collections.sort(order);
    java.util.Collections.rotate(order, -(nextDestination++ % Math.max(1, order.size())));
    claimFrom(order, 0, false, true);
  }

  /** Claims for {@code order[i]} and the rest; {@code full}: some claim got all it asked for (more may be due). */
  private void claimFrom(List<String> order, int i, boolean full, boolean ok) {
    if (i >= order.size() || stopping) {
      claiming = false;
      if (!stopping && (again || (full && ok))) {
        pump();
      } else {
        schedulePoll();
      }
      return;
    }
    String destination = order.get(i);
    int room = Math.min(maxInFlight - inFlight.size(), caps.get(destination) - busy.getOrDefault(destination, 0));
    if (room <= 0) {
      claimFrom(order, i + 1, full, ok);
      return;
    }
    long now = clock.millis();
    String token = workerId + "#" + (++claims);
    pool.preparedQuery(OutboxSql.CLAIM)
        .execute(Tuple.of(now, room, token, now + lease.toMillis(), inFlight.keySet().toArray(Long[]::new),
            destination))
        .onComplete(ar -> {
          int got = 0;
          if (ar.failed()) {
            LOG.log(Level.FINE, "claim failed: " + ar.cause().getMessage());
          } else {
            for (Row row : ar.result()) {
              got++;
              Claimed c;
              try {
                c = claimed(row, token);
              } catch (RuntimeException e) {
                // A row this build cannot read stays leased and comes back later; the others go on.
                LOG.log(Level.SEVERE, "outbox row " + row.getLong("id") + " unreadable", e);
                continue;
              }
              deliver(c);
            }
          }
          claimFrom(order, i + 1, full || got == room, ok && ar.succeeded());
        });
  }

  private void schedulePoll() {
    if (stopping) {
      return;
    }
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    pollTimer = vertx.setTimer(pollInterval.toMillis(), t -> {
      pollTimer = -1;
      pump();
    });
  }

  private static Claimed claimed(Row row, String token) {
    Map<String, String> headers = new HashMap<>();
    new JsonObject(row.getString("headers")).forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    Buffer body = row.getBuffer("body");
    StoredRequest request = new StoredRequest(row.getString("destination"), row.getString("method"),
        row.getString("uri"), headers, body == null ? new byte[0] : body.getBytes());
    Long[] sched = row.getArrayOfLongs("schedule_ms");
    long[] schedule = new long[sched.length];
    for (int i = 0; i < sched.length; i++) {
      schedule[i] = sched[i];
    }
    OffsetDateTime created = row.getOffsetDateTime("created_at");
    return new Claimed(row.getLong("id"), token, row.getString("route"), request, schedule, row.getFloat("jitter"),
        row.getInteger("attempts"), row.getBoolean("ambiguous"), row.getBoolean("once"),
        created.toInstant().toEpochMilli(), row.getString("call_id"), row.getLong("stale_at"));
  }

  private void deliver(Claimed c) {
    inFlight.put(c.id, c.token);
    busy.merge(c.request.destination(), 1, Integer::sum);
    Promise<Void> done = Promise.promise();
    running.put(c.id, done);
    long started = clock.millis();
    long t0 = System.nanoTime();
    Duration timeout = requestTimeout.apply(c.request.destination());
    Future<Sender.Result> sent = c.staleAt != null && started >= c.staleAt
        ? Future.succeededFuture(Sender.Result.stale(started - c.staleAt))
        : sender.send(c.request, timeout);
    sent
        .recover(err -> Future.succeededFuture(Sender.Result.failure(Sender.Kind.RESET, String.valueOf(err))))
        .compose(result -> {
          int latencyMs = (int) ((System.nanoTime() - t0) / 1_000_000);
          Decision d = Decision.of(result, c.attempts, c.ambiguous, c.once, c.schedule, c.jitter,
              ThreadLocalRandom.current());
          metrics.attempt(c.request.destination(), d.outcome());
          long now = clock.millis();
          if ("delivered".equals(d.outcome())) {
            metrics.delivered(c.route, Duration.ofMillis(Math.max(0, now - c.createdAt)));
            onDelivered.accept(new Outbox.Delivered(c.id, c.route, c.callId, truncate(result.body())));
          }
          Completion done1 = new Completion(c.id, c.token, d.status(), d.attempts(), d.ambiguous(),
              now + d.delay().toMillis(), result.kind() == Sender.Kind.HTTP ? result.status() : null, d.error(), now,
              started, latencyMs, d.outcome(), result.kindName(), truncate(result.body()), now + lease.toMillis(),
              Promise.promise());
          completions.add(done1);
          flushCompletions();
          return done1.written().future();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            // The row keeps its lease and comes back when it ends: delivered again at worst, never lost.
            LOG.warning("outbox row " + c.id + ": could not record the attempt (" + ar.cause().getMessage()
                + "); it is retried after its lease");
          }
          inFlight.remove(c.id);
          busy.merge(c.request.destination(), -1, Integer::sum);
          running.remove(c.id);
          done.complete();
          // Claim again once half the room is free: one claim for many rows, not one per row.
          if (inFlight.size() <= maxInFlight / 2) {
            pump();
          }
        });
  }

  /**
   * Writes the attempts that finished meanwhile in one statement (group commit, as for ingest).
   * While PostgreSQL is away the writes are retried until the lease would end: the result is then
   * not lost, and the row is not sent a second time.
   */
  private void flushCompletions() {
    if (completing >= 2 || completions.isEmpty()) {
      return;
    }
    List<Completion> batch = new java.util.ArrayList<>(completions);
    completions.clear();
    completing++;
    int n = batch.size();
    Long[] ids = new Long[n];
    String[] tokens = new String[n], statuses = new String[n], errors = new String[n], outcomes = new String[n],
        kinds = new String[n], responses = new String[n];
    Integer[] attempts = new Integer[n], httpStatus = new Integer[n], latency = new Integer[n];
    Boolean[] ambiguous = new Boolean[n];
    Long[] nextAt = new Long[n], now = new Long[n], started = new Long[n];
    for (int i = 0; i < n; i++) {
      Completion c = batch.get(i);
      ids[i] = c.id();
      tokens[i] = c.token();
      statuses[i] = c.status();
      attempts[i] = c.attempts();
      ambiguous[i] = c.ambiguous();
      nextAt[i] = c.nextAt();
      httpStatus[i] = c.httpStatus();
      errors[i] = c.error();
      now[i] = c.now();
      started[i] = c.started();
      latency[i] = c.latencyMs();
      outcomes[i] = c.outcome();
      kinds[i] = c.kind();
      responses[i] = c.response();
    }
    Tuple t = Tuple.of(ids, tokens, statuses, attempts, ambiguous, nextAt, httpStatus, errors, now, started, latency,
        outcomes).addValue(kinds).addValue(responses).addValue(workerId);
    pool.preparedQuery(OutboxSql.COMPLETE_BATCH).execute(t).onComplete(ar -> {
      completing--;
      if (ar.succeeded()) {
        Set<Long> updated = new HashSet<>();
        ar.result().forEach(r -> updated.add(r.getLong("id")));
        for (Completion c : batch) {
          if (!updated.contains(c.id())) {
            LOG.warning("outbox row " + c.id() + ": lease lost while its request ran; the row's new holder decides");
          }
          c.written().complete();
        }
      } else {
        long nowMs = clock.millis();
        List<Completion> again = new java.util.ArrayList<>();
        for (Completion c : batch) {
          if (stopping || nowMs + 500 >= c.until()) {
            c.written().fail(ar.cause());
          } else {
            again.add(c);
          }
        }
        if (!again.isEmpty()) {
          vertx.setTimer(500, x -> {
            completions.addAll(again);
            flushCompletions();
          });
        }
      }
      flushCompletions();
    });
  }

  private void renew() {
    if (inFlight.isEmpty()) {
      return;
    }
    Long[] ids = inFlight.keySet().toArray(Long[]::new);
    String[] tokens = java.util.Arrays.stream(ids).map(inFlight::get).toArray(String[]::new);
    pool.preparedQuery(OutboxSql.RENEW).execute(Tuple.of(ids, tokens, clock.millis() + lease.toMillis()))
        .onFailure(err -> LOG.fine("lease renewal failed: " + err.getMessage()));
  }

  private static String truncate(String s) {
    if (s == null) {
      return null;
    }
    return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    // Requests in flight finish and are recorded (bounded by their timeout); nothing new is claimed.
    Future<?> drained = Future.join(running.values().stream().map(Promise::future).toList());
    return drained.transform(v -> {
      if (renewTimer >= 0) {
        vertx.cancelTimer(renewTimer);
      }
      return subscriber == null ? Future.succeededFuture() : subscriber.close();
    });
  }
}
