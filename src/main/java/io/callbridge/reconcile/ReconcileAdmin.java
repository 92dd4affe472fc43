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

  public ReconcileAdmin(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  public void mount(Router router) {
    router.post("/admin/reconcile").handler(this::run);
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

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }
}
