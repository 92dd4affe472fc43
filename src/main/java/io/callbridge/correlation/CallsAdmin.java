package io.callbridge.correlation;

import io.callbridge.ingress.AdminEndpoints;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /admin/calls/{anyId}}: the call any of its ids names, with every id, when and by which route seen. */
final class CallsAdmin implements AdminEndpoints {
  private final Correlation correlation;

  CallsAdmin(Correlation correlation) {
    this.correlation = correlation;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/calls/:id").handler(this::lookup);
  }

  private void lookup(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    correlation.findAny(id).onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 503, new JsonObject().put("error", "lookup failed: " + ar.cause().getMessage()));
      } else if (ar.result().isEmpty()) {
        json(ctx, 404, new JsonObject().put("error", "no call is known by '" + id + "'").put("id", id));
      } else {
        json(ctx, 200, ar.result().get().toJson());
      }
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
