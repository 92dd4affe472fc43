package io.callbridge;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.RouteConfig;
import io.callbridge.correlation.Correlation;
import io.callbridge.flow.enrich.EnrichRecords;
import io.callbridge.ingress.AdminEndpoints;
import io.callbridge.ingress.AdminServer;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.IngressMetrics;
import io.callbridge.ingress.PublicServer;
import io.callbridge.metrics.Metrics;
import io.callbridge.outbox.Outbox;
import io.callbridge.store.Database;
import io.callbridge.template.Templates;
import io.callbridge.upstream.Upstream;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The one place CallBridge is composed: metrics, Vert.x, migrations, the pool, each route's flow,
 * the admin and public servers. {@link #stop()} drains in-flight requests within the grace.
 */
public final class Gateway {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  /** Builds the flow of one route; returns null when this build has no flow of that kind. */
  @FunctionalInterface
  public interface FlowFactory {
    Flow create(RouteConfig route, Services services);
  }

  private final Vertx vertx;
  private final Services services;
  private final AtomicBoolean draining;
  private final List<String> publicDeployments;
  private final String adminDeployment;
  private final int publicPort;
  private final int adminPort;

  private Gateway(Vertx vertx, Services services, AtomicBoolean draining, List<String> publicDeployments,
      String adminDeployment, int publicPort, int adminPort) {
    this.vertx = vertx;
    this.services = services;
    this.draining = draining;
    this.publicDeployments = publicDeployments;
    this.adminDeployment = adminDeployment;
    this.publicPort = publicPort;
    this.adminPort = adminPort;
  }

  public static Future<Gateway> start(CallBridgeConfig config) {
    return start(config, Clock.systemUTC(), Flows::create);
  }

  /**
   * The socket transport for {@code server.transport}: io_uring where asked for, or for {@code auto}
   * where the kernel allows it (bench-ping.sh measured 38–41 µs of CPU per ping on it against 45–70
   * on NIO); NIO otherwise.
   */
  static Transport transport(String name) {
    Transport uring = Transport.IO_URING;
    return switch (name) {
      case "io_uring" -> uring;
      case "auto" -> uring.available() ? uring : Transport.NIO;
      default -> Transport.NIO;
    };
  }

  public static Future<Gateway> start(CallBridgeConfig config, Clock clock, FlowFactory flowFactory) {
    Templates templates;
    try {
      templates = Templates.of(config);
    } catch (ConfigException e) {
      return Future.failedFuture(new IllegalArgumentException("the configuration's templates have "
          + e.errors().size() + " error(s): " + String.join("; ", e.errors())));
    }
    Metrics metrics = new Metrics();
    Transport transport = transport(config.server().transport());
    if (!transport.available()) {
      return Future.failedFuture(new IllegalArgumentException("server.transport: io_uring is not available here ("
          + transport.unavailabilityCause() + "): it needs Linux x86-64 with io_uring allowed (container runtimes' "
          + "default seccomp profiles often forbid it); use auto or nio"));
    }
    Vertx vertx = Vertx.builder()
        .with(metrics.vertxOptions(new VertxOptions().setPreferNativeTransport(false), config.server().vertxHttpMetrics()))
        .withMetrics(metrics.vertxFactory())
        .withTransport(transport)
        .build();
    // Not bound to a Vert.x context: a start-up failure closes Vert.x, and the caller must still hear of it.
    Promise<Gateway> started = Promise.promise();
    vertx.executeBlocking(() -> {
          List<String> egress = io.callbridge.upstream.EgressGuard.check(config.destinations(),
              io.callbridge.upstream.EgressGuard.Resolver.DNS);
          if (!egress.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", egress));
          }
          Database.migrate(config.postgres());
          return null;
        }, false)
        .compose(v -> {
          Database db = Database.open(vertx, config.postgres());
          Correlation correlation = Correlation.create(vertx, db.pool(), config.correlation(), metrics, clock);
          Upstream upstream = Upstream.create(vertx, config.destinations(), metrics, clock,
              config.server().instances());
          EnrichRecords enrichRecords = new EnrichRecords(db.pool(), clock);
          correlation.detail("enrichments", enrichRecords::forCall);
          correlation.detail("pings", enrichRecords::pingsForCall);
          long purgeEvery = config.correlation().purgeInterval().toMillis();
          vertx.setPeriodic(purgeEvery, purgeEvery, t -> enrichRecords.purge(config.correlation().retention())
              .onFailure(err -> LOG.fine("enrich outcome purge failed: " + err.getMessage())));
          Outbox outbox = Outbox.create(vertx, config, db, metrics, clock, upstream);
          // A link written by this instance wakes the unmatched postbacks (of any instance) waiting for it.
          correlation.onWritten(outbox::hasUnmatched, outbox::wakeUnmatched);
          Services services = new Services(vertx, config, templates, db, metrics, clock, correlation, upstream,
              outbox, enrichRecords);
          return recordStart(db).compose(x -> correlation.start()).compose(x -> deploy(vertx, services, flowFactory));
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            LOG.info("socket transport: " + transport.name() + " (server.transport: " + config.server().transport() + ")");
            started.complete(ar.result());
          } else {
            started.fail(ar.cause());
            vertx.close();
          }
        });
    return started.future();
  }

  private static Future<Void> recordStart(Database db) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown";
    }
    String version = String.valueOf(Gateway.class.getPackage().getImplementationVersion());
    return db.pool().preparedQuery("INSERT INTO instance_start (host, version) VALUES ($1, $2)")
        .execute(io.vertx.sqlclient.Tuple.of(host, version)).mapEmpty();
  }

  private static Future<Gateway> deploy(Vertx vertx, Services services, FlowFactory flowFactory) {
    CallBridgeConfig config = services.config();
    Map<String, Flow> flows = new LinkedHashMap<>();
    for (RouteConfig route : config.routes()) {
      Flow flow = flowFactory.create(route, services);
      if (flow != null) {
        flows.put(route.name(), flow);
      }
    }
    List<AdminEndpoints> admin = new ArrayList<>();
    admin.add(services.correlation().admin()::accept);
    admin.add(services.outbox().admin()::accept);
    // The console's charts: a reading of the gateway's own meters every 10 s, the last 15 minutes kept.
    io.callbridge.metrics.Readings readings = new io.callbridge.metrics.Readings(services.metrics().registry(),
        services.clock()::millis, 90);
    readings.take();
    vertx.setPeriodic(10_000, t -> readings.take());
    admin.add(router -> router.get("/admin/readings").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new io.vertx.core.json.JsonObject().put("readings", readings.history()).encode())));
    if (config.reconcile() != null) {
      io.callbridge.reconcile.Reconciler reconciler = new io.callbridge.reconcile.Reconciler(vertx,
          services.database().pool(), config.reconcile(),
          config.destinations().get(config.reconcile().trackDriveDestination()),
          new io.callbridge.reconcile.ReconcileMetrics(services.metrics()));
      // A confirmed fix is a postback handed to its route's flow as if the platform had sent it.
      io.callbridge.reconcile.Fixes.Submit submit = (routeName, fields) -> {
        Flow flow = flows.get(routeName);
        RouteConfig route = config.route(routeName).orElseThrow();
        if (flow == null) {
          return Future.failedFuture(new IllegalStateException("route " + routeName + " has no flow in this build"));
        }
        io.vertx.core.json.JsonObject raw = new io.vertx.core.json.JsonObject(new LinkedHashMap<>(fields));
        io.callbridge.ingress.Inbound inbound = new io.callbridge.ingress.Inbound(route,
            "reconcile-" + java.util.UUID.randomUUID(), "POST", io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json"), new LinkedHashMap<>(fields), raw.toBuffer(), "",
            io.callbridge.deadline.Deadline.in(route.deadline(), services.clock()), services.clock().instant());
        return flow.handle(inbound).map(reply -> new io.vertx.core.json.JsonObject().put("status", reply.status())
            .put("body", reply.body()));
      };
      admin.add(new io.callbridge.reconcile.ReconcileAdmin(reconciler, config.routes(), submit,
          services.database().pool())::mount);
      java.time.Duration every = config.reconcile().every();
      if (every != null) {
        java.time.Duration window = config.reconcile().window();
        vertx.setPeriodic(every.toMillis(), t -> {
          java.time.Instant now = services.clock().instant();
          reconciler.runScheduled(now.minus(window), now, every).onFailure(err ->
              LOG.warning("scheduled reconciliation failed: " + err.getMessage()));
        });
      }
    }
    AtomicBoolean draining = new AtomicBoolean(false);
    IngressMetrics ingressMetrics = new IngressMetrics(services.metrics());
    // Ready: PostgreSQL answers, and durable ingest is not stuck behind it (a lock, a hung connection).
    java.util.function.Supplier<Future<io.vertx.core.json.JsonObject>> readiness = () -> services.database().readiness()
        .map(details -> services.outbox().ingestStuck()
            .map(why -> details.copy().put("ingest", "stuck").put("reason", why))
            .orElseGet(() -> details.copy().put("ingest", "ok")));
    AdminServer adminServer = new AdminServer(config.server(), services.metrics(), readiness, admin, draining);
    // All instances listen on the configured port; Vert.x shares it (port 0 too: one random port for all).
    List<PublicServer> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.callbridge.ingress.Guards guards = new io.callbridge.ingress.Guards(config.routes());
    return services.outbox().start().compose(x -> vertx.deployVerticle(adminServer)).compose(adminId -> vertx.deployVerticle(() -> {
      PublicServer server = new PublicServer(config.server(), config.routes(), flows, ingressMetrics,
          services.clock(), config.server().port(), guards);
      instances.add(server);
      return server;
    }, new DeploymentOptions().setInstances(config.server().instances()))
        .compose(publicId -> warmUp(vertx, adminServer.actualPort()).map(v -> new Gateway(vertx, services, draining,
            List.of(publicId), adminId, instances.get(0).actualPort(), adminServer.actualPort()))));
  }

  /**
   * One loopback request to our own admin port before start-up completes. A cold JVM spends one to
   * two seconds loading and linking the HTTP client and server classes on the first exchange; without
   * this, the first ping or enrichment after a start would spend its whole deadline there.
   */
  private static Future<Void> warmUp(Vertx vertx, int adminPort) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(1));
    return client.request(HttpMethod.GET, adminPort, "127.0.0.1", "/health/live")
        .compose(req -> req.send())
        .compose(resp -> resp.body())
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .eventually(() -> client.close());
  }

  public int publicPort() {
    return publicPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Services services() {
    return services;
  }

  /**
   * Stops accepting, lets in-flight requests finish within the shutdown grace, flushes the
   * correlation write queue, closes the pool and Vert.x.
   */
  public Future<Void> stop() {
    draining.set(true);
    LOG.info("stopping: draining in-flight requests (grace " + services.config().server().shutdownGrace().toMillis() + "ms)");
    List<Future<Void>> undeploys = publicDeployments.stream().map(vertx::undeploy).toList();
    return Future.join(undeploys)
        .transform(v -> vertx.undeploy(adminDeployment))
        .transform(v -> services.outbox().stop())
        .transform(v -> services.upstream().close())
        .transform(v -> services.correlation().close())
        .transform(v -> services.database().close())
        .transform(v -> vertx.close());
  }
}
