package io.callbridge.correlation;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /admin/calls/{anyId}}: the call any of its ids names, with every id, when and by which route seen. */
final class CallsAdmin implements java.util.function.Consumer<Router> {
  private final Correlation correlation;
  private final Map<String, Function<CallRecord, Future<Optional<Object>>>> details;

  CallsAdmin(Correlation correlation, Map<String, Function<CallRecord, Future<Optional<Object>>>> details) {
    this.correlation = correlation;
    this.details = details;
  }

  /** Mounts the endpoint on the admin router (behind the admin token). */
  @Override
  public void accept(Router router) {
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
        withDetails(ar.result().get()).onComplete(body -> json(ctx, 200, body.result()));
      }
    });
  }

  /** The record's JSON plus what other capabilities keep about the call; a detail that fails is left out. */
  private Future<JsonObject> withDetails(CallRecord record) {
    JsonObject body = record.toJson();
    List<Future<?>> pending = new ArrayList<>();
    details.forEach((name, detail) -> pending.add(detail.apply(record)
        .onSuccess(d -> d.ifPresent(v -> body.put(name, v)))
        .onFailure(err -> body.put(name + "_error", String.valueOf(err.getMessage())))
        .otherwiseEmpty()));
    return Future.join(pending).transform(x -> Future.succeededFuture(body));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
