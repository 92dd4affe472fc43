package io.callbridge.reconcile;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code POST /admin/reconcile} {@code {"since": "24h", "until": "…"}}: one run, its report as JSON;
 * {@code GET /admin/reconcile/runs}: the last runs. A run only reads the platforms and writes its own
 * rows: a viewer token may start one.
 */
public final class ReconcileAdmin {
  private final Reconciler reconciler;
  private final java.util.List<io.callbridge.config.RouteConfig> routes;
  private final Fixes.Submit submit;
  private final io.vertx.sqlclient.Pool pool;

  public ReconcileAdmin(Reconciler reconciler, java.util.List<io.callbridge.config.RouteConfig> routes,
      Fixes.Submit submit, io.vertx.sqlclient.Pool pool) {
    this.reconciler = reconciler;
    this.routes = routes;
    this.submit = submit;
    this.pool = pool;
  }

  public void mount(Router router) {
    router.post("/admin/reconcile").handler(this::run);
    router.post("/admin/reconcile/fix").handler(this::fix);
    router.get("/admin/reconcile/runs").handler(ctx -> reconciler.runs(50).onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 503, new JsonObject().put("error", "PostgreSQL unavailable: " + ar.cause().getMessage()));
      } else {
        json(ctx, 200, new JsonObject().put("runs", ar.result()));
      }
    }));
  }

  private void run(RoutingContext ctx) {
    // The admin server let through only a JSON object or nothing.
    Buffer b = ctx.body() == null ? null : ctx.body().buffer();
    JsonObject body = b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject();
    Instant now = Instant.now();
    Instant since;
    Instant until;
    try {
      since = Window.instant(body.getString("since", "24h"), now);
    } catch (IllegalArgumentException e) {
      json(ctx, 400, new JsonObject().put("error", "since " + e.getMessage()).put("field", "since"));
      return;
    }
    try {
      until = body.containsKey("until") ? Window.instant(body.getString("until"), now) : now;
    } catch (IllegalArgumentException e) {
      json(ctx, 400, new JsonObject().put("error", "until " + e.getMessage()).put("field", "until"));
      return;
    }
    if (!since.isBefore(until)) {
      json(ctx, 400, new JsonObject().put("error", "since must be before until").put("field", "since"));
      return;
    }
    reconciler.run(since, until).onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 502, new JsonObject().put("error", "reconciliation failed: " + ar.cause().getMessage()));
      } else {
        json(ctx, 200, ar.result().toJson());
      }
    });
  }

  /**
   * {@code {"run": 12, "mismatch": 3, "confirm": false}}: the postback that would fix mismatch 3 of
   * run 12 (a dry run); with {@code confirm: true} it is sent through the route's flow and recorded
   * in the audit log.
   */
  private void fix(RoutingContext ctx) {
    Buffer b = ctx.body() == null ? null : ctx.body().buffer();
    JsonObject body = b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject();
    Long run;
    Integer n;
    try {
      run = body.getLong("run");
      n = body.getInteger("mismatch");
    } catch (ClassCastException e) {
      run = null;
      n = null;
    }
    if (run == null || n == null) {
      json(ctx, 400, new JsonObject().put("error", "give run and mismatch (the run's id and the mismatch's number in its"
          + " report, from 1)").put("field", run == null ? "run" : "mismatch"));
      return;
    }
    boolean confirm = Boolean.TRUE.equals(body.getValue("confirm"));
    long runId = run;
    int number = n;
    reconciler.mismatch(runId, number).onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 503, new JsonObject().put("error", "PostgreSQL unavailable: " + ar.cause().getMessage()));
        return;
      }
      if (ar.result().isEmpty()) {
        json(ctx, 404, new JsonObject().put("error", "run " + runId + " has no mismatch " + number));
        return;
      }
      Fixes.Fix fix;
      try {
        fix = Fixes.of(ar.result().get(), routes);
      } catch (IllegalArgumentException e) {
        json(ctx, 409, new JsonObject().put("error", e.getMessage()));
        return;
      }
      if (!confirm) {
        json(ctx, 200, new JsonObject().put("dryRun", true).put("fix", fix.toJson())
            .put("confirm", "send the same with \"confirm\": true to send it"));
        return;
      }
      io.callbridge.config.Tokens.Caller caller = ctx.get(io.callbridge.config.Tokens.Caller.CONTEXT_KEY);
      submit.submit(fix.route(), fix.fields()).onComplete(sent -> {
        int status = sent.succeeded() ? sent.result().getInteger("status") : 503;
        JsonObject answer = sent.succeeded() ? sent.result().getJsonObject("body")
            : new JsonObject().put("error", String.valueOf(sent.cause().getMessage()));
        io.callbridge.store.Audit.record(pool, caller == null ? "unknown" : caller.tokenName(),
            caller == null ? "unknown" : caller.role().yamlName(), "reconcile_fix",
            "run " + runId + " mismatch " + number, status / 100 == 2 ? 1 : 0, status,
            new JsonObject().put("route", fix.route()).put("fields", new JsonObject(fix.fields())).put("answer", answer))
            .onComplete(recorded -> json(ctx, status / 100 == 2 ? 200 : 502, new JsonObject().put("dryRun", false)
                .put("fix", fix.toJson()).put("postback", answer).put("postbackStatus", status)));
      });
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }
}
