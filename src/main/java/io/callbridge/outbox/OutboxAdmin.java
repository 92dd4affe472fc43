package io.callbridge.outbox;

import io.callbridge.config.Tokens;
import io.callbridge.store.Audit;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /admin/postbacks}: list, one row with its attempts, replay one, replay many (by status,
 * route and time range, bounded by a count), cancel. A conflict row is never sent: the
 * destination accepts one conversion per call.
 */
final class OutboxAdmin {
  static final int MAX_LIST = 1000;
  static final int MAX_REPLAY = 10_000;
  private static final List<String> REPLAYABLE = List.of("dead", "cancelled", "unmatched");
  private static final List<String> FORCED = List.of("dead", "cancelled", "unmatched", "delivered", "reconciled");

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(OutboxAdmin.class.getName());

  private final Pool pool;
  private final Clock clock;
  private final Rematching rematching;

  OutboxAdmin(Pool pool, Clock clock, Rematching rematching) {
    this.pool = pool;
    this.clock = clock;
    this.rematching = rematching;
  }

  void mount(Router router) {
    router.get("/admin/postbacks").handler(this::list);
    router.get("/admin/audit").handler(this::audit);
    router.get("/admin/queues").handler(this::queues);
    router.post("/admin/postbacks/replay").handler(this::replayMany);
    router.get("/admin/postbacks/:id").handler(this::get);
    router.post("/admin/postbacks/:id/replay").handler(this::replayOne);
    router.post("/admin/postbacks/:id/cancel").handler(this::cancel);
  }

  private static final class BadParam extends Exception {
    final String param;

    BadParam(String param, String message) {
      super(message, null, false, false);
      this.param = param;
    }
  }

  private void list(RoutingContext ctx) {
    try {
      String status = param(ctx, "status").orElse(null);
      if (status != null && !OutboxMetrics.STATUSES.contains(status)) {
        throw new BadParam("status", "unknown status '" + status + "' (one of " + OutboxMetrics.STATUSES + ")");
      }
      String route = param(ctx, "route").orElse(null);
      Long since = time(ctx, "since").orElse(null);
      Long until = time(ctx, "until").orElse(null);
      int limit = limit(ctx, 100, MAX_LIST);
      String call = param(ctx, "call").orElse(null);
      String destination = param(ctx, "destination").orElse(null);
      pool.preparedQuery(OutboxSql.LIST).execute(Tuple.of(status, route, since, until, limit, call, destination))
          .onComplete(ar -> {
        if (ar.failed()) {
          unavailable(ctx, ar.cause());
          return;
        }
        JsonArray items = new JsonArray();
        ar.result().forEach(r -> items.add(row(r)));
        json(ctx, 200, new JsonObject().put("postbacks", items).put("count", items.size()).put("limit", limit));
      });
    } catch (BadParam e) {
      json(ctx, 400, new JsonObject().put("error", e.getMessage()).put("field", e.param));
    }
  }

  private void get(RoutingContext ctx) {
    Long id = id(ctx);
    if (id == null) {
      return;
    }
    pool.preparedQuery(OutboxSql.GET).execute(Tuple.of(id)).compose(rows -> {
      if (!rows.iterator().hasNext()) {
        return Future.succeededFuture((JsonObject) null);
      }
      JsonObject row = row(rows.iterator().next());
      return pool.preparedQuery(OutboxSql.ATTEMPTS).execute(Tuple.of(id)).map(attempts -> {
        JsonArray list = new JsonArray();
        for (Row a : attempts) {
          list.add(new JsonObject()
              .put("attempt", a.getInteger("attempt"))
              .put("worker", a.getString("worker"))
              .put("startedAt", ts(a.getOffsetDateTime("started_at")))
              .put("latencyMs", a.getInteger("latency_ms"))
              .put("outcome", a.getString("outcome"))
              .put("kind", a.getString("kind"))
              .put("httpStatus", a.getInteger("http_status"))
              .put("error", a.getString("error"))
              .put("response", a.getString("response")));
        }
        return row.put("attemptLog", list);
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
      } else if (ar.result() == null) {
        json(ctx, 404, new JsonObject().put("error", "no postback " + id));
      } else {
        json(ctx, 200, ar.result());
      }
    });
  }

  private void replayOne(RoutingContext ctx) {
    Long id = id(ctx);
    if (id == null) {
      return;
    }
    boolean force = "true".equals(ctx.request().getParam("force"));
    pool.preparedQuery(OutboxSql.GET).execute(Tuple.of(id)).compose(rows -> {
      if (!rows.iterator().hasNext()) {
        return Future.succeededFuture(new JsonObject().put("_status", 404).put("error", "no postback " + id));
      }
      Row row = rows.iterator().next();
      String status = row.getString("status");
      if ("conflict".equals(status)) {
        return Future.succeededFuture(new JsonObject().put("_status", 409).put("error", "a conflict is never sent: "
            + "the destination accepts one conversion per call (the original is postback " + row.getLong("related_id")
            + ")"));
      }
      List<String> allowed = force ? FORCED : REPLAYABLE;
      if (!allowed.contains(status)) {
        return Future.succeededFuture(new JsonObject().put("_status", 409).put("error", "postback " + id + " is "
            + status + "; replayable: " + REPLAYABLE + (force ? "" : " (delivered or reconciled with force=true)")));
      }
      return replay(row, force).map(result -> result.put("_status", 200));
    }).onComplete(ar -> answerAudited(ctx, "replay", "postback " + id + (force ? " (force)" : ""), ar));
  }

  /**
   * Answers an admin mutation once it is recorded in the audit log (who, what, on what, how many
   * rows, the answer's status). A mutation that failed to run is recorded too, with 0 rows.
   */
  private void answerAudited(RoutingContext ctx, String action, String target, io.vertx.core.AsyncResult<JsonObject> ar) {
    Tokens.Caller caller = ctx.get(Tokens.Caller.CONTEXT_KEY);
    String who = caller == null ? "unknown" : caller.tokenName();
    String role = caller == null ? "unknown" : caller.role().yamlName();
    if (ar.failed()) {
      Audit.record(pool, who, role, action, target, 0, 503, new JsonObject().put("error", String.valueOf(
          ar.cause().getMessage()))).onComplete(x -> unavailable(ctx, ar.cause()));
      return;
    }
    JsonObject body = ar.result();
    int status = body.containsKey("_status") ? (Integer) body.remove("_status") : 200;
    Object replayed = body.getValue("replayed");
    int rows = replayed instanceof Number n ? n.intValue()
        : Boolean.TRUE.equals(replayed) || (action.equals("cancel") && status == 200) ? 1 : 0;
    JsonObject detail = body.containsKey("ids") ? new JsonObject().put("ids", body.getValue("ids")) : null;
    Audit.record(pool, who, role, action, target, rows, status, detail).onComplete(recorded -> {
      if (recorded.failed()) {
        LOG.severe("admin " + action + " of " + target + " by token '" + who + "' was done but not recorded in the audit"
            + " log: " + recorded.cause().getMessage());
      }
      json(ctx, status, body);
    });
  }

  /** The queues that need a person (dead, unmatched, conflict) and pending: counts and the oldest's age. */
  private void queues(RoutingContext ctx) {
    pool.query(OutboxSql.QUEUES).execute().onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      long now = clock.millis();
      JsonObject out = new JsonObject();
      for (String s : List.of("pending", "dead", "unmatched", "conflict")) {
        out.put(s, new JsonObject().put("count", 0).put("oldestAgeSeconds", (Long) null));
      }
      for (Row r : ar.result()) {
        out.put(r.getString("status"), new JsonObject().put("count", r.getLong("n"))
            .put("oldestAgeSeconds", Math.max(0, (now - r.getLong("oldest")) / 1000)));
      }
      json(ctx, 200, new JsonObject().put("queues", out));
    });
  }

  private void audit(RoutingContext ctx) {
    try {
      long since = time(ctx, "since").orElse(clock.millis() - java.time.Duration.ofDays(7).toMillis());
      int limit = limit(ctx, 100, MAX_LIST);
      Audit.list(pool, since, limit).onComplete(ar -> {
        if (ar.failed()) {
          unavailable(ctx, ar.cause());
        } else {
          json(ctx, 200, new JsonObject().put("audit", ar.result()).put("count", ar.result().size()).put("limit", limit));
        }
      });
    } catch (BadParam e) {
      json(ctx, 400, new JsonObject().put("error", e.getMessage()).put("field", e.param));
    }
  }

  /** Back to pending (an unmatched row is looked up again first). */
  private Future<JsonObject> replay(Row row, boolean force) {
    long id = row.getLong("id");
    String status = row.getString("status");
    long now = clock.millis();
    if (row.getString("method").isEmpty()) {
      // Never rendered (unmatched, or a configuration problem): look up and render again.
      return rematching.rematch(id, row.getString("route"), status, row.getString("fields"), row.getString("last_error"));
    }
    String[] allowed = (force ? FORCED : REPLAYABLE).toArray(String[]::new);
    return pool.preparedQuery(OutboxSql.REPLAY).execute(Tuple.of(new Long[] {id}, now, allowed))
        .compose(u -> notifyWorkers().map(u.rowCount()))
        .map(n -> new JsonObject().put("id", id).put("status", n > 0 ? "pending" : status).put("replayed", n > 0));
  }

  private void replayMany(RoutingContext ctx) {
    // The admin server let through only a JSON object or nothing.
    Buffer b = ctx.body() == null ? null : ctx.body().buffer();
    JsonObject body = b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject();
    try {
      String status = str(ctx, body, "status").orElse("dead");
      if (!REPLAYABLE.contains(status)) {
        throw new BadParam("status", "bulk replay takes one of " + REPLAYABLE + ", got '" + status + "'");
      }
      String route = str(ctx, body, "route").orElse(null);
      Optional<String> sinceText = str(ctx, body, "since");
      if (sinceText.isEmpty()) {
        throw new BadParam("since", "is required: replay is bounded by a time range (e.g. since=2026-01-01T00:00:00Z or since=24h)");
      }
      long since = parseTime("since", sinceText.get());
      long until = str(ctx, body, "until").isPresent() ? parseTime("until", str(ctx, body, "until").get()) : clock.millis();
      int limit;
      try {
        limit = Integer.parseInt(str(ctx, body, "limit").orElse("1000").trim());
      } catch (NumberFormatException e) {
        throw new BadParam("limit", "must be a whole number, got '" + str(ctx, body, "limit").orElse("") + "'");
      }
      if (limit < 1 || limit > MAX_REPLAY) {
        throw new BadParam("limit", "must be within 1.." + MAX_REPLAY + ", got " + limit);
      }
      pool.preparedQuery(OutboxSql.REPLAY_SELECT)
          .execute(Tuple.of(new String[] {status}, route, since, until, limit))
          .compose(rows -> {
            List<Long> ids = new ArrayList<>();
            boolean unrendered = false;
            for (Row r : rows) {
              ids.add(r.getLong("id"));
              unrendered |= r.getBoolean("unrendered");
            }
            if (!unrendered) {
              return pool.preparedQuery(OutboxSql.REPLAY)
                  .execute(Tuple.of(ids.toArray(Long[]::new), clock.millis(), new String[] {status}))
                  .compose(u -> notifyWorkers().map(u))
                  .map(u -> {
                    JsonArray done = new JsonArray();
                    u.forEach(r -> done.add(r.getLong("id")));
                    return new JsonObject().put("replayed", done.size()).put("ids", done).put("limit", limit);
                  });
            }
            // Rows never rendered are looked up and rendered one by one (each may now work, or not).
            Future<JsonArray> chain = Future.succeededFuture(new JsonArray());
            for (Long id : ids) {
              chain = chain.compose(acc -> pool.preparedQuery(OutboxSql.GET).execute(Tuple.of(id))
                  .compose(r -> r.iterator().hasNext() ? replay(r.iterator().next(), false)
                      : Future.succeededFuture(new JsonObject().put("replayed", false)))
                  .map(res -> res.getBoolean("replayed", false) ? acc.add(id) : acc));
            }
            return chain.map(done -> new JsonObject().put("replayed", done.size()).put("ids", done)
                .put("stillUnmatched", ids.size() - done.size()).put("limit", limit));
          })
          .onComplete(ar -> answerAudited(ctx, "bulk_replay", "status=" + status + (route == null ? "" : " route=" + route)
              + " since=" + java.time.Instant.ofEpochMilli(since) + " until=" + java.time.Instant.ofEpochMilli(until)
              + " limit=" + limit, ar));
    } catch (NumberFormatException e) {
      json(ctx, 400, new JsonObject().put("error", "must be a whole number").put("field", "limit"));
    } catch (BadParam e) {
      json(ctx, 400, new JsonObject().put("error", e.getMessage()).put("field", e.param));
    }
  }

  private void cancel(RoutingContext ctx) {
    Long id = id(ctx);
    if (id == null) {
      return;
    }
    pool.preparedQuery(OutboxSql.CANCEL).execute(Tuple.of(id, clock.millis())).compose(u -> {
      if (u.rowCount() > 0) {
        return Future.succeededFuture(new JsonObject().put("id", id).put("status", "cancelled").put("_status", 200));
      }
      return pool.preparedQuery(OutboxSql.GET).execute(Tuple.of(id)).map(rows -> rows.iterator().hasNext()
          ? new JsonObject().put("_status", 409).put("id", id).put("status", rows.iterator().next().getString("status"))
              .put("error", "only pending, unmatched, dead or conflict postbacks can be cancelled")
          : new JsonObject().put("_status", 404).put("error", "no postback " + id));
    }).onComplete(ar -> answerAudited(ctx, "cancel", "postback " + id, ar));
  }

  private Future<Void> notifyWorkers() {
    return pool.query(OutboxSql.NOTIFY).execute().mapEmpty();
  }

  static JsonObject row(Row r) {
    return new JsonObject()
        .put("id", r.getLong("id"))
        .put("flow", r.getString("flow"))
        .put("route", r.getString("route"))
        .put("idempotencyKey", r.getString("idem_key"))
        .put("callId", r.getString("call_id"))
        .put("eventKind", r.getString("event_kind"))
        .put("status", r.getString("status"))
        .put("destination", r.getString("destination"))
        .put("request", new JsonObject()
            .put("method", r.getString("method"))
            .put("uri", r.getString("uri"))
            .put("headers", masked(new JsonObject(r.getString("headers"))))
            .put("body", text(r.getBuffer("body"))))
        .put("inbound", new JsonObject()
            .put("method", r.getString("raw_method"))
            .put("query", r.getString("raw_query"))
            .put("body", text(r.getBuffer("raw_body")))
            .put("requestId", r.getString("request_id")))
        .put("attempts", r.getInteger("attempts"))
        .put("maxAttempts", r.getArrayOfLongs("schedule_ms").length)
        .put("ambiguous", r.getBoolean("ambiguous"))
        .put("nextAttemptAt", "pending".equals(r.getString("status")) ? ts(r.getOffsetDateTime("next_attempt_at")) : null)
        .put("leaseOwner", r.getString("lease_owner"))
        .put("relatedId", r.getLong("related_id"))
        .put("lastStatus", r.getInteger("last_status"))
        .put("lastError", r.getString("last_error"))
        .put("createdAt", ts(r.getOffsetDateTime("created_at")))
        .put("updatedAt", ts(r.getOffsetDateTime("updated_at")))
        .put("deliveredAt", ts(r.getOffsetDateTime("delivered_at")))
        .put("staleAt", ts(r.getOffsetDateTime("stale_at")))
        .put("action", action(r.getString("status"), r.getLong("id"), r.getLong("related_id")));
  }

  /** What an operator can do about a row in this status, or null when nothing is needed. */
  static String action(String status, long id, Long related) {
    return switch (status) {
      case "conflict" -> "Ringba accepts one conversion per call and already has postback " + related + "'s. If this "
          + "amount is the right one, adjust the call in Ringba by hand (Reporting > Call Details > Edit Calls > "
          + "Adjust Payments), then cancel this row: POST /admin/postbacks/" + id + "/cancel";
      case "dead" -> "read lastError and the attempt log; fix the cause (configuration, the destination), then "
          + "POST /admin/postbacks/" + id + "/replay";
      case "unmatched" -> "the other platform's call is not known yet; once it is linked, "
          + "POST /admin/postbacks/" + id + "/replay (or cancel it)";
      default -> null;
    };
  }

  /** Header values that are credentials never leave the gateway: shown as *** (names stay). */
  static JsonObject masked(JsonObject headers) {
    JsonObject out = new JsonObject();
    for (String name : headers.fieldNames()) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      boolean secret = n.equals("authorization") || n.equals("proxy-authorization") || n.equals("cookie")
          || n.contains("token") || n.contains("secret") || n.contains("api-key") || n.contains("apikey")
          || n.contains("password");
      out.put(name, secret ? "***" : headers.getValue(name));
    }
    return out;
  }

  private static String text(Buffer b) {
    return b == null ? "" : b.toString(StandardCharsets.UTF_8);
  }

  private static String ts(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private Long id(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      json(ctx, 400, new JsonObject().put("error", "postback id must be a number, got '" + ctx.pathParam("id") + "'")
          .put("field", "id"));
      return null;
    }
  }

  private static Optional<String> param(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  private static Optional<String> str(RoutingContext ctx, JsonObject body, String name) {
    Object v = body.getValue(name);
    if (v != null && !String.valueOf(v).isBlank()) {
      return Optional.of(String.valueOf(v).trim());
    }
    return param(ctx, name);
  }

  private Optional<Long> time(RoutingContext ctx, String name) throws BadParam {
    Optional<String> v = param(ctx, name);
    return v.isEmpty() ? Optional.empty() : Optional.of(parseTime(name, v.get()));
  }

  /** An ISO instant (2026-01-01T00:00:00Z), epoch milliseconds, or an age back from now (90m, 24h, 7d). */
  /** 9999-12-31T23:59:59.999Z. */
  private static final long MAX_EPOCH_MS = 253_402_300_799_999L;

  private long parseTime(String name, String v) throws BadParam {
    try {
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      if (v.matches("\\d{10,}")) {
        long ms = Long.parseLong(v);
        if (ms > MAX_EPOCH_MS) {
          throw new BadParam(name, "epoch milliseconds past the year 9999: '" + v + "'");
        }
        return ms;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(s|m|h|d)").matcher(v);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
        return Math.subtractExact(clock.millis(), d.toMillis());
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new BadParam(name, "out of range: give an ISO instant, epoch ms or an age such as 24h, got '" + v + "'");
    }
    throw new BadParam(name, "not a time: give an ISO instant (2026-01-01T00:00:00Z), epoch ms, or an age (24h), got '"
        + v + "'");
  }

  private static int limit(RoutingContext ctx, int fallback, int max) throws BadParam {
    Optional<String> v = param(ctx, "limit");
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.get());
      if (n < 1 || n > max) {
        throw new BadParam("limit", "must be within 1.." + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadParam("limit", "must be a whole number, got '" + v.get() + "'");
    }
  }

  private static void unavailable(RoutingContext ctx, Throwable err) {
    json(ctx, 503, new JsonObject().put("error", "PostgreSQL unavailable: " + err.getMessage()));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
