package io.callbridge.ingress;

import io.callbridge.config.Cidr;
import io.callbridge.config.ServerConfig;
import io.callbridge.config.Tokens;
import io.callbridge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The admin port: {@code /metrics}, {@code /health/live}, {@code /health/ready} and, behind
 * {@code Authorization: Bearer <admin token>}, the {@code /admin/*} endpoints of each capability.
 * With no admin token configured, {@code /admin/*} is disabled.
 */
public final class AdminServer extends VerticleBase {
  private final ServerConfig server;
  private final Metrics metrics;
  private final Supplier<Future<JsonObject>> readiness;
  private final List<AdminEndpoints> endpoints;
  private final AtomicBoolean draining;
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AdminServer.class.getName());
  private static final java.util.logging.Logger ACCESS = java.util.logging.Logger.getLogger("callbridge.access");
  private HttpServer http;
  private long tlsWatch = -1;

  public AdminServer(ServerConfig server, Metrics metrics, Supplier<Future<JsonObject>> readiness,
      List<AdminEndpoints> endpoints, AtomicBoolean draining) {
    this.server = server;
    this.metrics = metrics;
    this.readiness = readiness;
    this.endpoints = endpoints;
    this.draining = draining;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
        return;
      }
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
    }));
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(this::ready);
    // The operator console: static pages from the jar, no secrets in them; every call they make is to
    // /admin/* with the operator's token.
    router.get("/console").handler(ctx -> {
      if (ctx.request().path().equals("/console")) {
        ctx.redirect("/console/");
      } else {
        ctx.next();
      }
    });
    router.get("/console/*").handler(ctx -> {
      // Only its own scripts and styles: an injected string can never run as code.
      ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
          .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    router.get("/console/*").handler(io.vertx.ext.web.handler.StaticHandler.create("io/callbridge/console")
        .setCachingEnabled(false).setDefaultContentEncoding("UTF-8"));
    router.route("/admin/*").handler(this::authorize);
    // Bodies are read for the methods that carry one: vertx-web's BodyHandler refuses a form
    // Content-Type on a GET with an exception (a 500), found by MalformedRequestsTest.
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(1024 * 1024);
    router.route("/admin/*").handler(ctx -> {
      HttpMethod m = ctx.request().method();
      if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH || m == HttpMethod.DELETE) {
        bodies.handle(ctx);
      } else {
        ctx.next();
      }
    });
    // A body the admin API gets is a JSON object, or nothing: refused here once, for every endpoint.
    router.route("/admin/*").handler(ctx -> {
      io.vertx.core.buffer.Buffer b = ctx.body() == null ? null : ctx.body().buffer();
      if (b != null && b.length() > 0) {
        try {
          b.toJsonObject();
        } catch (RuntimeException e) {
          json(ctx, 400, new JsonObject().put("error", "body must be a JSON object").put("field", "body"));
          return;
        }
      }
      ctx.next();
    });
    endpoints.forEach(e -> e.mount(router));
    router.errorHandler(404, ctx -> json(ctx, 404, new JsonObject().put("error", "no admin endpoint at " + ctx.request().path())));
    // vertx-web's own refusals (a path that does not decode, a body over the limit) as JSON too.
    router.errorHandler(400, ctx -> json(ctx, 400, new JsonObject().put("error", "malformed request"
        + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage()) + " (check the path's %-escapes and the body)")));
    router.errorHandler(413, ctx -> json(ctx, 413, new JsonObject().put("error", "body larger than 1 MiB").put("field", "body")));
    router.errorHandler(405, ctx -> json(ctx, 405, new JsonObject().put("error", "method not allowed")));
    router.errorHandler(500, ctx -> {
      LOG.log(java.util.logging.Level.SEVERE, "admin " + ctx.request().method() + " " + ctx.request().path() + " failed",
          ctx.failure());
      json(ctx, 500, new JsonObject().put("error", "internal error; see the gateway log"));
    });
    // HTTP/1.x only, as on the public port: the guard (JSON answers to what is not a request) sits after
    // the HTTP/1 decoder, which a cleartext HTTP/2 upgrade path would bypass.
    HttpServerOptions options = new HttpServerOptions().setHost(server.host()).setPort(server.adminPort())
        .setHttp2ClearTextEnabled(false).setMaxInitialLineLength(8192);
    TlsFiles tls;
    try {
      tls = TlsFiles.onto(server.tls(), options);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    // Bytes that are not a request get the public port's JSON answers (400, 414, 431, 505) here too.
    http = vertx.createHttpServer(options).requestHandler(router)
        .invalidRequestHandler(PublicServer::invalid)
        .connectionHandler(PublicServer::guard);
    return http.listen().onSuccess(s -> {
      if (tls != null) {
        tlsWatch = tls.watch(vertx, http);
      }
    });
  }

  private void ready(RoutingContext ctx) {
    if (draining.get()) {
      json(ctx, 503, new JsonObject().put("status", "down").put("reason", "shutting down"));
      return;
    }
    readiness.get()
        .timeout(2, TimeUnit.SECONDS)
        .onSuccess(details -> {
          // A part that reports itself "stuck" or "down" (e.g. ingest behind a lock) makes the instance unready.
          boolean down = details.stream().anyMatch(e -> "stuck".equals(e.getValue()) || "down".equals(e.getValue()));
          json(ctx, down ? 503 : 200, details.copy().put("status", down ? "down" : "up"));
        })
        .onFailure(err -> json(ctx, 503, new JsonObject().put("status", "down").put("postgres", "down")
            .put("reason", String.valueOf(err.getMessage()))));
  }

  /**
   * Who may use /admin/*: from {@code server.adminAllowFrom} (when set), with one of the admin
   * tokens. A viewer token reads (GET); an operator token may also change things (replay, cancel,
   * fixes). The caller's token name and role go into the request context for the audit log.
   */
  private void authorize(RoutingContext ctx) {
    if (!server.adminAllowFrom().isEmpty()) {
      java.net.InetAddress from = ClientAddress.of(ctx.request(), server.trustedProxies());
      if (from == null || !Cidr.any(server.adminAllowFrom(), from)) {
        json(ctx, 403, new JsonObject().put("error", "the admin API is not open to " + (from == null ? "an unknown address"
            : from.getHostAddress()) + " (server.adminAllowFrom)").put("field", "source"));
        return;
      }
    }
    if (!server.adminTokens().isPresent()) {
      json(ctx, 404, new JsonObject().put("error", "admin endpoints are disabled: set CALLBRIDGE_ADMIN_TOKEN (or"
          + " server.adminTokens) to enable them"));
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    // The auth scheme's name is case-insensitive (RFC 7235 section 2.1): "bearer" and "BEARER" are "Bearer".
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    java.util.Optional<Tokens.Named> shown = server.adminTokens().match(token);
    if (shown.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      json(ctx, 401, new JsonObject().put("error", token == null
          ? "missing admin token: send Authorization: Bearer <CALLBRIDGE_ADMIN_TOKEN>" : "invalid admin token"));
      return;
    }
    Tokens.Caller caller = new Tokens.Caller(shown.get().name(), shown.get().role());
    HttpMethod method = ctx.request().method();
    if (!caller.mayChange() && method != HttpMethod.GET && method != HttpMethod.HEAD) {
      json(ctx, 403, new JsonObject().put("error", "token '" + caller.tokenName() + "' is a viewer: it reads; replay,"
          + " cancel and fixes need an operator token (server.adminTokens role: operator)").put("field", "role"));
      return;
    }
    ctx.put(Tokens.Caller.CONTEXT_KEY, caller);
    // Which admin token is in use (its name, never its value): a bounded tag, and one access line.
    metrics.counter("callbridge.admin.requests", "Admin API requests by the name and role of the token they showed",
        "token", caller.tokenName(), "role", caller.role().yamlName()).increment();
    if (server.accessLog()) {
      long start = System.nanoTime();
      ctx.addEndHandler(v -> ACCESS.info(method + " " + ctx.request().path() + " route=admin status="
          + ctx.response().getStatusCode() + " ms=" + Math.round((System.nanoTime() - start) / 1e5) / 10.0
          + " token=" + caller.tokenName() + " role=" + caller.role().yamlName()));
    }
    ctx.next();
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  public int actualPort() {
    return http.actualPort();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tlsWatch);
    return http == null ? Future.succeededFuture() : http.close();
  }
}
