package io.callbridge.sim;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's HTTP server: records every request, picks its fault and latency from the
 * endpoint's behaviour (deterministically), waits on a timer (never blocking), then answers like
 * the platform would — or resets, hangs, 500s or 429s.
 */
final class SimServer extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SimServer.class.getName());
  private static final Pattern TD_HOST = Pattern.compile("([a-z0-9-]+)\\.trackdrive\\.com(:\\d+)?", Pattern.CASE_INSENSITIVE);
  private static final String ENTRY = "sim.entry";
  private static final String START = "sim.start";

  private final SimConfig config;
  private final int port;
  private final Recorder recorder;
  private final SimState state;
  private final Dice dice;
  private final Clock clock;
  private final RingbaEndpoints ringba;
  private final TrackDriveEndpoints trackdrive;
  private final ReportingEndpoints reporting;
  private HttpServer http;
  private HttpClient client;
  private RingbaRingTree ringTree;

  SimServer(SimConfig config, int port, Recorder recorder, SimState state, Clock clock) {
    this.config = config;
    this.port = port;
    this.recorder = recorder;
    this.state = state;
    this.dice = new Dice(config.seed());
    this.clock = clock;
    this.ringba = new RingbaEndpoints(state, clock);
    this.trackdrive = new TrackDriveEndpoints(state, clock);
    this.reporting = new ReportingEndpoints(state);
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
    ringTree = new RingbaRingTree(vertx, client, state, clock);
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(1024 * 1024));
    router.get("/_sim/requests").handler(this::listRequests);
    router.delete("/_sim/requests").handler(ctx -> json(ctx, 200, new JsonObject().put("cleared", recorder.clear())));
    router.get("/_sim/state").handler(ctx -> json(ctx, 200, state.snapshot()));
    router.post("/_sim/reporting").handler(ctx -> {
      try {
        json(ctx, 200, new JsonObject().put("seeded", state.seed(ctx.body().asJsonObject())));
      } catch (RuntimeException e) {
        json(ctx, 400, new JsonObject().put("error", "expected {\"trackdrive\": [...], \"ringba\": [...]}: " + e.getMessage()));
      }
    });
    router.post("/_sim/ring-tree/:id").handler(this::offerCall);
    router.route().handler(this::record);

    router.route("/enrich/:publisherNumberId").method(HttpMethod.GET).method(HttpMethod.POST).handler(ctx -> {
      String id = ctx.pathParam("publisherNumberId");
      SimConfig.Behaviour b = SimConfig.lookup(config.enrich(), id).map(SimConfig.Enrich::behaviour)
          .orElse(SimConfig.Behaviour.NONE);
      serve(ctx, "ringba.enrich", id, b, ringba::enrich);
    });
    router.routeWithRegex("/v1/production/([^/]+?)(\\.json)?").method(HttpMethod.GET).method(HttpMethod.POST)
        .handler(ctx -> {
          String id = ctx.pathParam("param0");
          Optional<SimConfig.Rtb> rtb = SimConfig.lookup(config.rtb(), id);
          if (rtb.isEmpty()) {
            unknown(ctx, "ringba.rtb", id, "RTB id " + id + " not found");
            return;
          }
          serve(ctx, "ringba.rtb", id, rtb.get().behaviour(), (ex, r) -> ringba.rtb(ex, r, id, rtb.get()));
        });
    router.route("/hook/:webhookId").method(HttpMethod.GET).method(HttpMethod.POST).handler(ctx -> {
      String id = ctx.pathParam("webhookId");
      Optional<SimConfig.Webhook> hook = SimConfig.lookup(config.webhooks(), id);
      if (hook.isEmpty()) {
        unknown(ctx, "ringba.webhook", id, "webhook " + id + " not found");
        return;
      }
      serve(ctx, "ringba.webhook", id, hook.get().behaviour(), (ex, r) -> ringba.hook(ex, r, id, hook.get()));
    });
    router.post("/api/v1/leads").handler(ctx -> company(ctx, "trackdrive.leads", trackdrive::lead));
    router.post("/api/v1/leads/capture").handler(ctx -> company(ctx, "trackdrive.leads", trackdrive::lead));
    router.post("/api/v1/calls/update_call/:callUuid")
        .handler(ctx -> company(ctx, "trackdrive.update_call", trackdrive::updateCall));
    router.get("/api/v1/calls").handler(ctx -> company(ctx, "trackdrive.calls", reporting::trackDriveCalls));
    router.post("/v2/:accountId/calllogs").handler(ctx -> {
      String id = ctx.pathParam("accountId");
      Optional<SimConfig.Account> account = SimConfig.lookup(config.accounts(), id);
      if (account.isEmpty()) {
        unknown(ctx, "ringba.calllogs", id, "Ringba account " + id + " not found");
        return;
      }
      serve(ctx, "ringba.calllogs", id, account.get().behaviour(),
          (ex, r) -> reporting.ringbaCallLogs(ex, r, id, account.get()));
    });
    for (String step : new String[] {"ping", "post"}) {
      router.post("/api/v1/inbound_webhooks/" + step + "/:vanity").handler(ctx -> {
        String sub = subdomain(ctx);
        String vanity = ctx.pathParam("vanity");
        SimConfig.Company c = config.companies().get(sub);
        Optional<SimConfig.Ping> ping = c == null ? Optional.empty() : SimConfig.lookup(c.ping(), vanity);
        if (ping.isEmpty()) {
          unknown(ctx, "trackdrive." + step, sub + "/" + vanity, "no ping webhook " + vanity + " at " + sub);
          return;
        }
        serve(ctx, "trackdrive." + step, sub + "/" + vanity, ping.get().behaviour(), step.equals("ping")
            ? (ex, r) -> trackdrive.ping(ex, r, sub, vanity, ping.get())
            : (ex, r) -> trackdrive.post(ex, sub, vanity, ping.get()));
      });
    }
    router.route().handler(ctx -> unknown(ctx, "unknown", "", "the simulator has no endpoint at "
        + ctx.request().method() + " " + ctx.request().path()));

    http = vertx.createHttpServer(new HttpServerOptions().setHost("0.0.0.0").setPort(port).setTcpNoDelay(true))
        .requestHandler(router);
    return http.listen();
  }

  int actualPort() {
    return http.actualPort();
  }

  @Override
  public Future<?> stop() {
    Future<Void> c = client == null ? Future.succeededFuture() : client.close();
    return http == null ? c : Future.join(c, http.close());
  }

  /**
   * Plays an inbound call through one of Ringba's ring trees: {@code {"call": {"CID", "inboundCallId",
   * tags…}, "targets": [...]}} ({@code targets} optional: they replace the configured ones, for
   * gateways on ports sim.yaml cannot know). Answers what Ringba did with the call.
   */
  private void offerCall(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    SimConfig.RingTree tree = config.ringTrees().get(id);
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      json(ctx, 400, new JsonObject().put("error", "expected a JSON object {\"call\": {...}, \"targets\": [...]}"));
      return;
    }
    if (body == null || !(body.getValue("call") instanceof JsonObject call)) {
      json(ctx, 400, new JsonObject().put("error", "call: the RTT request body (CID, inboundCallId, tags) is required")
          .put("field", "call"));
      return;
    }
    if (tree == null && !body.containsKey("targets")) {
      json(ctx, 404, new JsonObject().put("error", "no ring tree '" + id + "' under ringba.ringTrees; "
          + "configure it or give targets with the call").put("field", "id"));
      return;
    }
    SimConfig.RingTree t = tree == null ? new SimConfig.RingTree(Duration.ofMillis(2000), 0, List.of()) : tree;
    if (body.containsKey("targets")) {
      try {
        t = new SimConfig.RingTree(t.pingTimeout(), t.minimumBid(),
            SimConfig.ringTreeTargets(plain(body.getValue("targets")), "targets"));
      } catch (SimConfig.Invalid e) {
        json(ctx, 400, new JsonObject().put("error", e.getMessage()).put("field", "targets"));
        return;
      }
    }
    if (t.targets().isEmpty()) {
      json(ctx, 400, new JsonObject().put("error", "ring tree '" + id + "' has no targets").put("field", "targets"));
      return;
    }
    ringTree.offer(id, t, call).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        json(ctx, 500, new JsonObject().put("error", "simulator bug: " + ar.cause()));
      }
    });
  }

  private static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      Map<String, Object> m = new LinkedHashMap<>();
      o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (v instanceof JsonArray a) {
      List<Object> l = new ArrayList<>();
      a.forEach(x -> l.add(plain(x)));
      return l;
    }
    return v;
  }

  private interface CompanyHandler {
    void handle(SimRequest ex, SplittableRandom r, String subdomain, SimConfig.Company company);
  }

  private void company(RoutingContext ctx, String endpoint, CompanyHandler handler) {
    String sub = subdomain(ctx);
    SimConfig.Company c = config.companies().get(sub);
    if (c == null) {
      unknown(ctx, endpoint, sub, "no TrackDrive company '" + sub + "'");
      return;
    }
    serve(ctx, endpoint, sub, c.behaviour(), (ex, r) -> handler.handle(ex, r, sub, c));
  }

  /** The company: from a {@code <subdomain>.trackdrive.com} Host header, else the configured default. */
  private String subdomain(RoutingContext ctx) {
    String host = ctx.request().getHeader("Host");
    if (host != null) {
      Matcher m = TD_HOST.matcher(host);
      if (m.matches()) {
        return m.group(1).toLowerCase(java.util.Locale.ROOT);
      }
    }
    return config.defaultSubdomain();
  }

  private void record(RoutingContext ctx) {
    ctx.put(START, System.nanoTime());
    var body = ctx.body().buffer();
    ctx.put(ENTRY, recorder.record(clock.instant(), ctx.request().method().name(), ctx.request().path(),
        ctx.request().query(), SimRequest.headersOf(ctx.request().headers()), body == null ? "" : body.toString(),
        "unknown", ""));
    ctx.next();
  }

  private void unknown(RoutingContext ctx, String endpoint, String id, String message) {
    JsonObject entry = ctx.get(ENTRY);
    entry.put("endpoint", endpoint).put("id", id);
    new SimRequest(ctx, entry, recorder, ctx.get(START), SimConfig.Behaviour.NONE, null)
        .reply(404, new JsonObject().put("status", "error").put("message", message), "not found");
  }

  private void serve(RoutingContext ctx, String endpoint, String id, SimConfig.Behaviour behaviour,
      BiConsumer<SimRequest, SplittableRandom> answer) {
    JsonObject entry = ctx.get(ENTRY);
    entry.put("endpoint", endpoint).put("id", id);
    Dice.Draw draw = dice.next(endpoint + "/" + id);
    SplittableRandom r = draw.random();
    SimRequest ex = new SimRequest(ctx, entry, recorder, ctx.get(START), behaviour, draw);
    SimConfig.Fault fault = behaviour.faults().pick(r, draw.index());
    long delay = behaviour.latency().sampleMillis(r);
    Runnable act = () -> act(ex, fault, r, answer);
    if (delay <= 0) {
      act.run();
    } else {
      vertx.setTimer(delay, t -> act.run());
    }
  }

  private void act(SimRequest ex, SimConfig.Fault fault, SplittableRandom r, BiConsumer<SimRequest, SplittableRandom> answer) {
    switch (fault) {
      case HTTP500 -> ex.reply(500, new JsonObject().put("message", "An error has occurred."), "fault: http500");
      case ERROR200 -> ex.reply(200, new JsonObject().put("status", "error").put("errors", new JsonObject()
          .put("base", new JsonArray().add("The call could not be updated"))), "fault: error200");
      case HTTP429 -> {
        long seconds = Math.max(1, (ex.behaviour.faults().retryAfter().toMillis() + 999) / 1000);
        ex.reply(429, new JsonObject().put("message", "Too Many Requests"), "fault: http429",
            Map.of("Retry-After", String.valueOf(seconds)));
      }
      case RESET -> {
        recorder.outcome(ex.entry, "fault: reset");
        reset(ex.ctx.request().connection());
      }
      case HANG -> {
        recorder.outcome(ex.entry, "fault: hang");
        HttpConnection conn = ex.ctx.request().connection();
        vertx.setTimer(Math.max(1, ex.behaviour.faults().hangFor().toMillis()), t -> conn.close());
      }
      default -> {
        try {
          answer.accept(ex, r);
        } catch (RuntimeException e) {
          LOG.warning("simulator endpoint failed: " + e);
          ex.reply(500, new JsonObject().put("message", "simulator bug: " + e), "simulator error");
        }
      }
    }
  }

  /** An abortive close (TCP RST, SO_LINGER 0) where the transport allows it; a plain close otherwise. */
  private static void reset(HttpConnection conn) {
    if (conn instanceof io.vertx.core.net.impl.ConnectionBase base) {
      base.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
      base.channel().close();
    } else {
      conn.close();
    }
  }

  private void listRequests(RoutingContext ctx) {
    String path = Optional.ofNullable(ctx.queryParams().get("path")).orElse("");
    String since = Optional.ofNullable(ctx.queryParams().get("since")).orElse("0").trim();
    int limit;
    try {
      limit = Integer.parseInt(Optional.ofNullable(ctx.queryParams().get("limit")).orElse("1000"));
      if (limit < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      json(ctx, 400, new JsonObject().put("error", "limit must be a positive number"));
      return;
    }
    try {
      var found = since.matches("\\d+") ? recorder.find(path, Long.parseLong(since), limit)
          : recorder.findSince(path, Instant.parse(since), limit);
      json(ctx, 200, recorder.page(found, limit));
    } catch (DateTimeParseException e) {
      json(ctx, 400, new JsonObject().put("error", "since must be a sequence number (the 'next' of an earlier answer) "
          + "or an ISO-8601 instant such as 2025-08-12T16:12:56Z, got '" + since + "'"));
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
  }
}
