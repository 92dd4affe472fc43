package io.callbridge.outbox;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Looking a never-rendered row's call up again (an {@code unmatched} postback, or one whose
 * configuration was fixed): when an operator replays it, and by itself on a back-off schedule
 * ({@link #sweep}) for {@code outbox.rematchWindow} after it arrived. Found, the row takes the
 * postback's key for that call: a copy of the same postback that was matched at ingest already
 * holds that key, so the row is then cancelled as that copy's duplicate and nothing is sent twice.
 */
final class Rematching {
  private static final Logger LOG = Logger.getLogger(Rematching.class.getName());

  private final Pool pool;
  private final Clock clock;
  private final Map<String, Outbox.Rematcher> rematchers;
  private final Supplier<Future<Void>> notifyWorkers;
  private final OutboxMetrics metrics;

  Rematching(Pool pool, Clock clock, Map<String, Outbox.Rematcher> rematchers, Supplier<Future<Void>> notifyWorkers,
      OutboxMetrics metrics) {
    this.pool = pool;
    this.clock = clock;
    this.rematchers = rematchers;
    this.notifyWorkers = notifyWorkers;
    this.metrics = metrics;
  }

  /** Looks row {@code id} up again; answers what the admin API reports (status, replayed, why not). */
  Future<JsonObject> rematch(long id, String route, String status, String fieldsJson, String lastError) {
    Outbox.Rematcher rematcher = rematchers.get(route);
    if (rematcher == null) {
      return Future.succeededFuture(new JsonObject().put("id", id).put("status", status)
          .put("replayed", false).put("reason", "no flow for route '" + route + "' in this build"));
    }
    Map<String, Object> fields = new JsonObject(fieldsJson).getMap();
    return rematcher.rematch(fields).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new JsonObject().put("id", id).put("status", status).put("replayed", false)
            .put("found", false).put("reason", "unmatched".equals(status)
                ? (lastError != null && lastError.startsWith("ambiguous") ? lastError
                    : "the call is still not found through correlation")
                : "the request still cannot be rendered: " + lastError));
      }
      Outbox.Rematched m = found.get();
      StoredRequest r = m.request();
      long now = clock.millis();
      String once = m.oncePerCall() ? r.destination() + ":" + m.callId() : null;
      Tuple t = Tuple.of(id, r.method(), r.uri(), new JsonObject(new HashMap<>(r.headers())).encode(),
          Buffer.buffer(r.body()), Outbox.fingerprint(r), m.callId(), once).addValue(now).addValue(m.idempotencyKey());
      return pool.preparedQuery(OutboxSql.REMATCH).execute(t)
          .compose(u -> notifyWorkers.get().map(u.rowCount()))
          .map(n -> {
            if (n > 0) {
              metrics.rematched("found");
            }
            return new JsonObject().put("id", id).put("status", n > 0 ? "pending" : status).put("replayed", n > 0)
                .put("found", true).put("callId", m.callId());
          })
          .recover(err -> err instanceof PgException pg && "outbox_idem".equals(pg.getConstraint())
              ? copyOf(id, route, m, now)
              : Future.succeededFuture(new JsonObject().put("id", id).put("status", status).put("replayed", false)
                  .put("found", true).put("callId", m.callId())
                  .put("reason", "the call already has a postback to this destination: " + err.getMessage())));
    });
  }

  /** Another row already carries this postback for this call (a copy matched at ingest): this one is its duplicate. */
  private Future<JsonObject> copyOf(long id, String route, Outbox.Rematched m, long now) {
    return pool.preparedQuery(OutboxSql.CANCEL_AS_COPY).execute(Tuple.of(id, route, m.idempotencyKey(), now))
        .map(rows -> {
          Long original = rows.size() == 0 ? null : rows.iterator().next().getLong("original");
          metrics.rematched("copy");
          return new JsonObject().put("id", id).put("status", "cancelled").put("replayed", false).put("found", true)
              .put("callId", m.callId()).put("copyOf", original)
              .put("reason", "postback " + original + " is this postback for call " + m.callId()
                  + " (a copy matched when it arrived): it is delivered there, never twice");
        });
  }

  /**
   * One pass: claims up to {@code limit} unmatched rows whose next look-up is due and that arrived
   * within {@code window}, moves each one's next look-up out (1 s after it arrived, then as long
   * again as its age, at most an hour), and looks each up again. Rows of several instances never
   * collide ({@code SKIP LOCKED}). Answers how many found their call.
   */
  Future<Integer> sweep(Duration window, int limit) {
    long now = clock.millis();
    return pool.preparedQuery(OutboxSql.CLAIM_UNMATCHED).execute(Tuple.of(now, now - window.toMillis(), limit))
        .compose(rows -> {
          List<Future<JsonObject>> each = new ArrayList<>();
          for (Row r : rows) {
            each.add(rematch(r.getLong("id"), r.getString("route"), "unmatched", r.getString("fields"),
                r.getString("last_error")).recover(err -> {
                  LOG.fine("unmatched row " + r.getLong("id") + ": look-up failed: " + err.getMessage());
                  return Future.succeededFuture(new JsonObject());
                }));
          }
          return Future.join(each).map(x -> (int) each.stream()
              .filter(f -> f.succeeded() && f.result().getBoolean("found", false)).count());
        });
  }
}
