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
      boolean ambiguous, boolean once, long createdAt) {}

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

  private final Map<Long, String> inFlight = new HashMap<>();
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
      OutboxMetrics metrics) {
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
    int room = maxInFlight - inFlight.size();
    if (room <= 0) {
      return;
    }
    claiming = true;
    again = false;
    long now = clock.millis();
    String token = workerId + "#" + (++claims);
    pool.preparedQuery(OutboxSql.CLAIM)
        .execute(Tuple.of(now, room, token, now + lease.toMillis(), inFlight.keySet().toArray(Long[]::new)))
        .onComplete(ar -> {
          claiming = false;
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
          if (!stopping && (again || (got == room && ar.succeeded()))) {
            pump();
          } else {
            schedulePoll();
          }
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
        created.toInstant().toEpochMilli());
  }

  private void deliver(Claimed c) {
    inFlight.put(c.id, c.token);
    Promise<Void> done = Promise.promise();
    running.put(c.id, done);
    long started = clock.millis();
    long t0 = System.nanoTime();
    Duration timeout = requestTimeout.apply(c.request.destination());
    sender.send(c.request, timeout)
        .recover(err -> Future.succeededFuture(Sender.Result.failure(Sender.Kind.RESET, String.valueOf(err))))
        .compose(result -> {
          int latencyMs = (int) ((System.nanoTime() - t0) / 1_000_000);
          Decision d = Decision.of(result, c.attempts, c.ambiguous, c.once, c.schedule, c.jitter,
              ThreadLocalRandom.current());
          metrics.attempt(c.request.destination(), d.outcome());
          long now = clock.millis();
          if ("delivered".equals(d.outcome())) {
            metrics.delivered(c.route, Duration.ofMillis(Math.max(0, now - c.createdAt)));
          }
          Tuple t = Tuple.of(c.id, d.status(), d.attempts(), d.ambiguous(), now + d.delay().toMillis(),
                  result.kind() == Sender.Kind.HTTP ? result.status() : null, d.error(), now)
              .addValue(c.token).addValue(d.attempts()).addValue(started).addValue(latencyMs).addValue(d.outcome())
              .addValue(result.kindName()).addValue(truncate(result.body())).addValue(workerId);
          return record(c.id, t, clock.millis() + lease.toMillis());
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            // The row keeps its lease and comes back when it ends: delivered again at worst, never lost.
            LOG.warning("outbox row " + c.id + ": could not record the attempt (" + ar.cause().getMessage()
                + "); it is retried after its lease");
          }
          inFlight.remove(c.id);
          running.remove(c.id);
          done.complete();
          pump();
        });
  }

  /**
   * Writes the attempt and its consequence. While PostgreSQL is away the write is retried until the
   * lease would end: the result is then not lost, and the row is not sent a second time.
   */
  private Future<Void> record(long id, Tuple t, long until) {
    return pool.preparedQuery(OutboxSql.COMPLETE).execute(t).<Void>map(rows -> {
      if (rows.iterator().next().getLong("updated") == 0) {
        LOG.warning("outbox row " + id + ": lease lost while its request ran; the row's new holder decides");
      }
      return null;
    }).recover(err -> {
      if (stopping || clock.millis() + 500 >= until) {
        return Future.failedFuture(err);
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(500, x -> record(id, t, until).onComplete(later));
      return later.future();
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
