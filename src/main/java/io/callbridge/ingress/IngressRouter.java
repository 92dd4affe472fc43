package io.callbridge.ingress;

import io.callbridge.config.RouteConfig;
import io.callbridge.config.ServerConfig;
import io.callbridge.upstream.Deadline;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The public router: for each route auth → parse → bound → flow, and the shared behaviour every
 * route has (413, 404, 405, 400, 401 as JSON, {@code X-Request-Id}, one access-log line).
 */
final class IngressRouter {
  private static final Logger ACCESS = Logger.getLogger("callbridge.access");
  private static final Logger LOG = Logger.getLogger(IngressRouter.class.getName());
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String TOKEN_HEADER = "X-CallBridge-Token";
  static final String DEADLINE_HEADER = "X-Deadline-Ms";
  private static final String ROUTE_KEY = "callbridge.route";

  private IngressRouter() {}

  static Router build(Vertx vertx, ServerConfig server, List<RouteConfig> routes, Map<String, Flow> flows,
      IngressMetrics metrics, Clock clock) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> begin(ctx, server, metrics));
    BodyHandler body = BodyHandler.create(false).setBodyLimit(server.bodyLimitBytes());
    for (RouteConfig route : routes) {
      Flow flow = flows.get(route.name());
      router.route(route.path()).handler(ctx -> {
        ctx.put(ROUTE_KEY, route);
        ctx.next();
      });
      router.route(route.path()).method(HttpMethod.GET).method(HttpMethod.POST)
          .handler(body)
          .handler(ctx -> handle(ctx, route, flow, clock));
    }
    router.errorHandler(404, ctx -> fail(ctx, 404, "no route at " + safePath(ctx), null));
    router.errorHandler(405, ctx -> fail(ctx, 405, "method " + ctx.request().method() + " not allowed here; use GET or POST", null));
    router.errorHandler(413, ctx -> fail(ctx, 413, "body larger than " + server.bodyLimitBytes() + " bytes", "body"));
    // Vert.x's body handler fails with 400 only when it cannot decode a form body.
    router.errorHandler(400, ctx -> fail(ctx, 400, "malformed form body"
        + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage()), "body"));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "request " + ctx.get("requestId") + " failed", ctx.failure());
      fail(ctx, 500, "internal error (request id " + ctx.get("requestId") + "); see the gateway log", null);
    });
    return router;
  }

  private static void begin(RoutingContext ctx, ServerConfig server, IngressMetrics metrics) {
    long start = System.nanoTime();
    String rid = ctx.request().getHeader("X-Request-Id");
    if (rid == null || !REQUEST_ID.matcher(rid).matches()) {
      // A random (version 4) UUID without SecureRandom: a request id needs uniqueness, not secrecy,
      // and SecureRandom is a shared lock on every request.
      java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
      rid = new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
          .toString();
    }
    ctx.put("requestId", rid);
    HttpServerResponse response = ctx.response();
    response.putHeader("X-Request-Id", rid);
    String requestId = rid;
    response.endHandler(v -> {
      long nanos = System.nanoTime() - start;
      RouteConfig route = ctx.get(ROUTE_KEY);
      String name = route == null ? "unmatched" : route.name();
      String kind = route == null ? "none" : route.kind().yamlName();
      metrics.record(name, kind, response.getStatusCode(), nanos);
      if (server.accessLog() && ACCESS.isLoggable(Level.INFO)) {
        ACCESS.info(String.format("%s %s route=%s status=%d ms=%.1f rid=%s", ctx.request().method(),
            safePath(ctx), name, response.getStatusCode(), nanos / 1e6, requestId));
      }
    });
    ctx.next();
  }

  private static void handle(RoutingContext ctx, RouteConfig route, Flow flow, Clock clock) {
    String requestId = ctx.get("requestId");
    if (!route.token().isPresent()) {
      send(ctx, Reply.error(401, "route '" + route.name() + "' has no token configured: set the environment variable "
          + "its auth.token names, then restart", "token"));
      return;
    }
    String token = ctx.request().getHeader(TOKEN_HEADER);
    if (token == null) {
      token = ctx.queryParams().get(Fields.TOKEN_PARAM);
    }
    if (token == null) {
      send(ctx, Reply.error(401, "missing token: send it in the " + TOKEN_HEADER + " header or the token query parameter", "token"));
      return;
    }
    if (!route.token().matches(token)) {
      send(ctx, Reply.error(401, "invalid token", "token"));
      return;
    }
    Deadline deadline = Deadline.in(route.deadline(), clock);
    String shorter = ctx.request().getHeader(DEADLINE_HEADER);
    if (shorter != null) {
      try {
        long ms = Long.parseLong(shorter.trim());
        if (ms <= 0) {
          throw new NumberFormatException();
        }
        deadline = deadline.atMost(Duration.ofMillis(ms));
      } catch (NumberFormatException e) {
        send(ctx, Reply.error(400, "must be a positive number of milliseconds, got '" + shorter + "'", DEADLINE_HEADER));
        return;
      }
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null) {
      raw = Buffer.buffer();
    }
    Map<String, Object> fields;
    String rawQuery = ctx.request().query();
    try {
      fields = Fields.parse(rawQuery, ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), raw);
    } catch (Fields.Malformed e) {
      send(ctx, Reply.error(400, e.getMessage(), e.field));
      return;
    }
    Inbound inbound = new Inbound(route, requestId, ctx.request().method().name(), ctx.request().headers(), fields,
        raw, rawQuery, deadline, clock.instant());
    if (flow == null) {
      send(ctx, Reply.error(501, "the " + route.kind().yamlName() + " flow is not available in this build"));
      return;
    }
    try {
      flow.handle(inbound).onComplete(ar -> {
        if (ar.succeeded()) {
          send(ctx, ar.result());
        } else {
          ctx.fail(500, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      ctx.fail(500, e);
    }
  }

  static void send(RoutingContext ctx, Reply reply) {
    HttpServerResponse response = ctx.response();
    if (response.closed() || response.ended()) {
      return;
    }
    reply.headers().forEach(response::putHeader);
    response.setStatusCode(reply.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(reply.body().toBuffer());
  }

  private static void fail(RoutingContext ctx, int status, String message, String field) {
    send(ctx, Reply.error(status, message, field));
  }

  private static String safePath(RoutingContext ctx) {
    String p = ctx.request().path();
    if (p == null) {
      return "/";
    }
    return p.length() > 200 ? p.substring(0, 200) + "…" : p;
  }

  static JsonObject errorBody(String message) {
    return new JsonObject().put("error", message);
  }
}
