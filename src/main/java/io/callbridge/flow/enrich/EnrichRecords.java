package io.callbridge.flow.enrich;

import io.callbridge.correlation.CallRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The call's record of an enrich fan-out (and, for ping routes with {@code recordOutcomes}, of the
 * call's first ping: every buyer's bid or refusal, mode "ping", shown as "pings"): each target's outcome, written behind the answer (sync and
 * async alike) and shown with the call at {@code GET /admin/calls/{anyId}} under "enrichments".
 * Rows older than {@code correlation.retention} are removed in batches ({@link #purge}), like the
 * call links. One per gateway, shared by its enrich routes; the gateway registers {@link #forCall}
 * with correlation and runs the purge on its timer.
 */
public final class EnrichRecords implements EnrichOutcomes {
  private static final Logger LOG = Logger.getLogger(EnrichRecords.class.getName());
  static final String INSERT = """
      INSERT INTO enrich_outcome (route, call_uuid, subdomain, at, mode, accept, targets)
      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""";
  static final String BY_CALL = """
      SELECT route, subdomain, at, mode, accept, targets FROM enrich_outcome
      WHERE call_uuid = $1 ORDER BY at""";
  static final String PURGE = """
      DELETE FROM enrich_outcome WHERE ctid IN (
        SELECT ctid FROM enrich_outcome WHERE at < $1 LIMIT $2)""";
  private static final int PURGE_BATCH = 5000;

  private final Pool pool;
  private final Clock clock;
  private final AtomicLong lastWarning = new AtomicLong();

  public EnrichRecords(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Never awaited by the flow; a failed write is logged (at most every 10 s) and the answer stands. */
  @Override
  public void write(String route, String callUuid, String subdomain, String mode, boolean accept, JsonArray targets) {
    OffsetDateTime at = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    pool.preparedQuery(INSERT)
        .execute(Tuple.of(route, callUuid, subdomain == null ? "" : subdomain, at, mode, accept, targets.copy()))
        .onFailure(err -> {
          long now = System.currentTimeMillis();
          long last = lastWarning.get();
          if (now - last > 10_000 && lastWarning.compareAndSet(last, now)) {
            LOG.warning("enrich outcomes of call " + callUuid + " not recorded: " + err.getMessage());
          }
        });
  }

  /** The call's enrich outcomes, for the admin view of a call ("enrichments"). */
  public Future<Optional<Object>> forCall(CallRecord record) {
    return forCall(record, false);
  }

  /** The call's recorded pings (rows of mode "ping", written for routes with recordOutcomes), as "pings". */
  public Future<Optional<Object>> pingsForCall(CallRecord record) {
    return forCall(record, true);
  }

  private Future<Optional<Object>> forCall(CallRecord record, boolean pings) {
    if (record.callUuid().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery(BY_CALL).execute(Tuple.of(record.callUuid().get())).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row row : rows) {
        if ("ping".equals(row.getString("mode")) != pings) {
          continue;
        }
        out.add(new JsonObject()
            .put("route", row.getString("route"))
            .put("subdomain", row.getString("subdomain"))
            .put("at", row.getOffsetDateTime("at").toInstant().toString())
            .put("mode", row.getString("mode"))
            .put("accept", row.getBoolean("accept"))
            .put("targets", row.getJsonArray("targets")));
      }
      return out.isEmpty() ? Optional.empty() : Optional.of(out);
    });
  }

  /** Removes outcomes older than {@code retention}, a batch at a time until none is left. */
  public Future<Void> purge(Duration retention) {
    OffsetDateTime cutoff = OffsetDateTime.ofInstant(clock.instant().minus(retention), ZoneOffset.UTC);
    return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff, PURGE_BATCH))
        .compose(r -> r.rowCount() == PURGE_BATCH ? purge(retention) : Future.succeededFuture());
  }
}
