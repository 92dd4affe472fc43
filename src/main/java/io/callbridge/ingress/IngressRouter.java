package io.callbridge.ingress;

import io.callbridge.config.Cidr;
import io.callbridge.config.PostbackSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.ServerConfig;
import io.callbridge.config.Tokens;
import io.callbridge.deadline.Deadline;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The public port's request handler: for each route auth → read the body within the limit → parse
 * → bound → flow, and the behaviour every route shares (413, 404, 405, 400, 401 and 500 as JSON,
 * {@code X-Request-Id}, one metric sample and one access-log line per answer).
 *
 * <p>Routes are exact paths ({@code /v1/<kind>/<name>}, a trailing slash allowed), so a map lookup
 * is the whole routing; no router framework runs on this, the latency-critical path.
 */
final class IngressRouter implements Handler<HttpServerRequest> {
  private static final Logger ACCESS = Logger.getLogger("callbridge.access");
  private static final Logger LOG = Logger.getLogger(IngressRouter.class.getName());
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String TOKEN_HEADER = "X-CallBridge-Token";
  static final String DEADLINE_HEADER = "X-Deadline-Ms";
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence REQUEST_ID_HEADER = HttpHeaders.createOptimized("X-Request-Id");

  /** One route as ingress serves it; {@code limiter} is null without a {@code rateLimit}. */
  private record Entry(RouteConfig route, Flow flow, RateLimiter limiter) {}

  private final ServerConfig server;
  private final Map<String, Entry> byPath;
  private final IngressMetrics metrics;
  private final Clock clock;

  IngressRouter(ServerConfig server, List<RouteConfig> routes, Map<String, Flow> flows, IngressMetrics metrics,
      Clock clock, Guards guards) {
    this.server = server;
    this.metrics = metrics;
    this.clock = clock;
    Map<String, Entry> paths = new HashMap<>();
    for (RouteConfig route : routes) {
      Flow flow = flows.get(route.name());
      RateLimiter limiter = guards.limiter(route.name());
      paths.put(route.path(), new Entry(route, flow, limiter));
      if (flow != null) {
        // A later step of the same exchange (a ring tree's accept): the route's auth, limits and deadline.
        flow.steps().forEach((step, f) -> paths.put(route.path() + "/" + step, new Entry(route, f, limiter)));
      }
    }
    this.byPath = Map.copyOf(paths);
  }

  /** Everything one request carries through ingress, from arrival to its one answer. */
  private final class InboundCall {
    final HttpServerRequest request;
    /** The event loop the request arrived on: its answer is written there, and nowhere else. */
    final Thread loop = Thread.currentThread();
    final Context context = Vertx.currentContext();
    final long startNanos = System.nanoTime();
    final String requestId;
    final Entry entry;
    Buffer body;
    boolean bodyOwned;
    boolean answered;
    /** For the access line: the call's id once the fields are read, the name of the token it showed. */
    String callId;
    String tokenName = "none";

    InboundCall(HttpServerRequest request, Entry entry) {
      this.request = request;
      this.entry = entry;
      this.requestId = requestId(request.getHeader(REQUEST_ID_HEADER));
    }

    void send(Reply reply) {
      if (Thread.currentThread() != loop && context != null) {
        // A flow may finish on another thread (e.g. a PostgreSQL pool's loop): hand the answer back.
        context.runOnContext(v -> send(reply));
        return;
      }
      HttpServerResponse response = request.response();
      if (answered || response.closed() || response.ended()) {
        return;
      }
      answered = true;
      if (!reply.headers().isEmpty()) {
        reply.headers().forEach(response::putHeader);
      }
      response.setStatusCode(reply.status())
          .putHeader(REQUEST_ID_HEADER, requestId)
          .putHeader(HttpHeaders.CONTENT_TYPE, JSON);
      if (reply.status() == 413) {
        // The rest of the body is never read: the connection cannot carry another request.
        response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
      response.end(reply.wire());
      long nanos = System.nanoTime() - startNanos;
      String name = entry == null ? "unmatched" : entry.route.name();
      String kind = entry == null ? "none" : entry.route.kind().yamlName();
      metrics.record(name, kind, reply.status(), nanos);
      if (server.accessLog() && ACCESS.isLoggable(Level.INFO)) {
        access(name, reply.status(), nanos);
      }
    }

    /**
     * One line per answer: the text a person reads, and the same facts as fields for the JSON log.
     * The token is named, never shown; ids from the caller are cut to 64 printable characters.
     */
    private void access(String route, int status, long nanos) {
      String method = request.method().name();
      String path = safePath(request);
      double ms = Math.round(nanos / 1e5) / 10.0;
      Map<String, Object> fields = new java.util.LinkedHashMap<>();
      fields.put("method", method);
      fields.put("path", path);
      fields.put("route", route);
      fields.put("status", status);
      fields.put("ms", ms);
      fields.put("request_id", requestId);
      if (callId != null) {
        fields.put("call_id", callId);
      }
      fields.put("token", tokenName);
      LogRecord record = new LogRecord(Level.INFO, method + " " + path + " route=" + route + " status=" + status
          + " ms=" + ms + " rid=" + requestId + (callId == null ? "" : " call=" + callId) + " token=" + tokenName);
      record.setLoggerName(ACCESS.getName());
      record.setParameters(new Object[] {fields});
      ACCESS.log(record);
    }

    void fail(Throwable cause) {
      LOG.log(Level.SEVERE, "request " + requestId + " failed", cause);
      send(Reply.error(500, "internal error (request id " + requestId + "); see the gateway log"));
    }
  }

  @Override
  public void handle(HttpServerRequest request) {
    Entry entry = byPath.get(routePath(request.path()));
    InboundCall ex = new InboundCall(request, entry);
    if (entry == null) {
      ex.send(Reply.error(404, "no route at " + safePath(request)));
      return;
    }
    HttpMethod method = request.method();
    if (method != HttpMethod.POST && method != HttpMethod.GET) {
      request.response().putHeader(HttpHeaders.ALLOW, "GET, POST");
      ex.send(Reply.error(405, "method " + method + " not allowed here; use GET or POST"));
      return;
    }
    if (!entry.route.allowFrom().isEmpty()) {
      java.net.InetAddress from = ClientAddress.of(request, server.trustedProxies());
      if (from == null || !Cidr.any(entry.route.allowFrom(), from)) {
        metrics.refused(entry.route.name(), "source");
        ex.send(Reply.error(403, "calls to route '" + entry.route.name() + "' are not allowed from "
            + (from == null ? "an unknown address" : from.getHostAddress()) + " (its allowFrom lists the networks that may"
            + " call it)", "source"));
        return;
      }
    }
    long limit = server.bodyLimitBytes();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && declaredOver(length, limit)) {
      ex.send(tooLarge());
      return;
    }
    request.exceptionHandler(t -> {
      // The caller went away mid-body: nobody is left to answer.
    });
    request.handler(chunk -> {
      if (ex.answered) {
        return;
      }
      int have = ex.body == null ? 0 : ex.body.length();
      if (have + chunk.length() > limit) {
        ex.send(tooLarge());
      } else if (ex.body == null) {
        ex.body = chunk; // most bodies are one chunk: kept as it came (Vert.x hands out heap copies)
      } else {
        if (!ex.bodyOwned) {
          ex.body = Buffer.buffer(Math.min((int) limit, 2 * (have + chunk.length()))).appendBuffer(ex.body);
          ex.bodyOwned = true;
        }
        ex.body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> {
      if (ex.answered) {
        return;
      }
      try {
        route(ex);
      } catch (RuntimeException e) {
        ex.fail(e);
      }
    });
  }

  private Reply tooLarge() {
    return Reply.error(413, "body larger than " + server.bodyLimitBytes() + " bytes", "body");
  }

  private void route(InboundCall ex) {
    RouteConfig route = ex.entry.route;
    HttpServerRequest request = ex.request;
    if (!route.tokens().isPresent()) {
      ex.send(Reply.error(401, "route '" + route.name() + "' has no token configured: set the environment variable "
          + "its auth.token names, then restart", "token"));
      return;
    }
    String token = request.getHeader(TOKEN_HEADER);
    if (token == null) {
      token = request.getParam(Fields.TOKEN_PARAM);
    }
    if (token == null) {
      ex.send(Reply.error(401, "missing token: send it in the " + TOKEN_HEADER + " header or the token query parameter",
          "token"));
      return;
    }
    Optional<Tokens.Named> shown = route.tokens().match(token);
    if (shown.isEmpty()) {
      ex.tokenName = "invalid";
      metrics.auth(route.name(), "invalid");
      ex.send(Reply.error(401, "invalid token", "token"));
      return;
    }
    ex.tokenName = shown.get().name();
    metrics.auth(route.name(), ex.tokenName);
    RateLimiter limiter = ex.entry.limiter;
    if (limiter != null) {
      long wait = limiter.takeRoute();
      if (wait > 0) {
        ex.send(tooMany(route, "route", wait));
        return;
      }
    }
    Deadline deadline = Deadline.in(route.deadline(), clock);
    String shorter = request.getHeader(DEADLINE_HEADER);
    if (shorter != null) {
      try {
        long ms = Long.parseLong(shorter.trim());
        if (ms <= 0) {
          throw new NumberFormatException();
        }
        if (!route.kind().durable()) {
          deadline = deadline.atMost(Duration.ofMillis(ms));
        }
      } catch (NumberFormatException e) {
        ex.send(Reply.error(400, "must be a positive number of milliseconds, got '" + shorter + "'", DEADLINE_HEADER));
        return;
      }
    }
    Buffer raw = ex.body == null ? Buffer.buffer() : ex.body;
    Map<String, Object> fields;
    Map<String, String> unresolved;
    String rawQuery = request.query();
    try {
      fields = Fields.parse(rawQuery, request.getHeader(HttpHeaders.CONTENT_TYPE), raw);
      unresolved = Fields.dropUnfilled(fields);
      ex.callId = callId(route, fields);
      if (limiter != null && limiter.perCaller() && fields.get("caller_id") instanceof String caller) {
        long wait = limiter.takeCaller(caller);
        if (wait > 0) {
          ex.send(tooMany(route, "caller", wait));
          return;
        }
      }
    } catch (Fields.Malformed e) {
      ex.send(Reply.error(400, e.getMessage(), e.field));
      return;
    }
    MultiMap headers = request.headers();
    Inbound inbound = new Inbound(route, ex.requestId, request.method().name(), headers, fields, raw, rawQuery,
        deadline, clock.instant(), unresolved);
    Flow flow = ex.entry.flow;
    if (flow == null) {
      ex.send(Reply.error(501, "the " + route.kind().yamlName() + " flow is not available in this build"));
      return;
    }
    flow.handle(inbound).onComplete(ar -> {
      if (ar.succeeded()) {
        ex.send(ar.result());
      } else {
        ex.fail(ar.cause());
      }
    });
  }

  /** 429 with when to come back: the route's whole budget, or one caller id's, is used up. */
  private Reply tooMany(RouteConfig route, String scope, long waitNanos) {
    metrics.refused(route.name(), scope.equals("route") ? "rate_route" : "rate_caller");
    long seconds = RateLimiter.retryAfterSeconds(waitNanos);
    return new Reply(429, new JsonObject().put("error", (scope.equals("route") ? "route '" + route.name()
        + "' is over its rate limit" : "this caller id is over route '" + route.name() + "''s per-caller rate limit")
        + ": retry after " + seconds + " s").put("field", scope.equals("route") ? "rateLimit" : "caller_id"),
        Map.of("Retry-After", Long.toString(seconds)));
  }

  /** The ids a call is known by, in the order the access line prefers them. */
  private static final List<String> CALL_ID_FIELDS = List.of("call_uuid", "trackdrive_call_uuid", "ringba_call_uuid",
      "inbound_call_id", "inboundCallId", "call_id", "ping_id");

  /** The call this request is about, as far as its fields say: the route's call id field first. */
  private static String callId(RouteConfig route, Map<String, Object> fields) {
    Object v = route.settings() instanceof PostbackSettings p ? fields.get(p.callIdField()) : null;
    for (int i = 0; v == null && i < CALL_ID_FIELDS.size(); i++) {
      v = fields.get(CALL_ID_FIELDS.get(i));
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 64));
    for (int i = 0; i < s.length() && sb.length() < 64; i++) {
      char c = s.charAt(i);
      sb.append(c > ' ' && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  /** A well-formed {@code X-Request-Id} is echoed; otherwise a new random one is made. */
  private static String requestId(String given) {
    if (given != null && REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    // A random (version 4) UUID without SecureRandom: a request id needs uniqueness, not secrecy,
    // and SecureRandom is a shared lock on every request.
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }

  private static boolean declaredOver(String contentLength, long limit) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false; // counted while reading instead
    }
  }

  private static String routePath(String path) {
    if (path == null) {
      return "/";
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static String safePath(HttpServerRequest request) {
    String p = request.path();
    if (p == null) {
      return "/";
    }
    return p.length() > 200 ? p.substring(0, 200) + "…" : p;
  }
}
