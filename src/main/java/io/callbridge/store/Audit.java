package io.callbridge.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;

/**
 * The admin audit log (table {@code admin_audit}): one row per admin mutation, written by the
 * capability that made the change, read by {@code GET /admin/audit}. Rows carry the deployment of
 * the connection that wrote them (like outbox rows), and each deployment reads only its own.
 */
public final class Audit {
  private static final String MINE = "deployment = COALESCE(current_setting('callbridge.deployment', true), 'default')";
  private static final String INSERT = "INSERT INTO admin_audit (token_name, role, action, target, rows, status, detail)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7)";
  private static final String LIST = "SELECT id, at, token_name, role, action, target, rows, status, detail::text AS detail"
      + " FROM admin_audit WHERE " + MINE + " AND at >= $1 ORDER BY at DESC, id DESC LIMIT $2";

  private Audit() {}

  /** Records one mutation: {@code who} is the token's name and role, {@code rows} how many rows changed. */
  public static Future<Void> record(SqlClient db, String tokenName, String role, String action, String target, int rows,
      int status, JsonObject detail) {
    return db.preparedQuery(INSERT)
        .execute(Tuple.tuple().addString(tokenName).addString(role).addString(action).addString(target)
            .addInteger(rows).addInteger(status).addValue(detail)) // a JsonObject is a jsonb object, not a string
        .mapEmpty();
  }

  /** The newest {@code limit} rows since {@code sinceMillis}. */
  public static Future<JsonArray> list(SqlClient db, long sinceMillis, int limit) {
    java.time.OffsetDateTime since = java.time.Instant.ofEpochMilli(sinceMillis).atOffset(ZoneOffset.UTC);
    return db.preparedQuery(LIST).execute(Tuple.of(since, limit)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("id", r.getLong("id"))
            .put("at", r.getOffsetDateTime("at").withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString())
            .put("token", r.getString("token_name")).put("role", r.getString("role"))
            .put("action", r.getString("action")).put("target", r.getString("target"))
            .put("rows", r.getInteger("rows")).put("status", r.getInteger("status"))
            .put("detail", r.getString("detail") == null ? null : new JsonObject(r.getString("detail"))));
      }
      return out;
    });
  }
}
