package io.callbridge.outbox;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.CorrelationConfig;
import io.callbridge.config.DestinationConfig;
import io.callbridge.config.OutboxConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.store.Database;
import io.callbridge.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Durable delivery, the one entry point of this package. {@link #enqueue} answers once PostgreSQL
 * committed the envelope (raw bytes, rendered request, idempotency key under a unique constraint);
 * the delivery worker then sends it until delivered or judged impossible. Any flow that must not
 * lose an outbound request (postbacks, leads) enqueues here.
 */
public final class Outbox implements DurableQueue {
  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

  /** Tuning: how often to poll, the lease margin, how many rows in flight and per batch, whether to deliver. */
  public record Options(Duration pollInterval, Duration leaseMargin, int maxInFlight, int maxBatch, boolean deliver,
      Duration rematchWindow) {
    /** The production tuning with {@code outbox:}'s switches (see {@link OutboxConfig}). */
    public static Options of(OutboxConfig config) {
      return new Options(Duration.ofMillis(500), config.leaseMargin(), 128, 512, config.delivery(),
          config.rematchWindow());
    }
  }

  /** Re-finds an unmatched row's call from its stored fields (replay); empty while still unknown. */
  @FunctionalInterface
  public interface Rematcher {
    Future<Optional<Rematched>> rematch(Map<String, Object> fields);
  }

  /** The call found for a row: its id, the request to send, and the postback's idempotency key now that it has a call. */
  public record Rematched(String callId, StoredRequest request, boolean oncePerCall, String idempotencyKey) {}

  private final Vertx vertx;
  private final Database db;
  private final Clock clock;
  private final Options options;
  private final Sender sender;
  private final OutboxMetrics metrics;
  private final IngestBatcher batcher;
  private final Map<String, DestinationConfig> destinations;
  private final CorrelationConfig retention;
  private final Map<String, Rematcher> rematchers = new ConcurrentHashMap<>();
  private final Map<String, java.util.function.Consumer<Delivered>> deliveredListeners = new ConcurrentHashMap<>();
  private final String workerId;
  private final Duration lease;
  private String deployment;
  private long depthTimer = -1;
  private long purgeTimer = -1;
  private long rematchTimer = -1;
  /** Requests in flight per destination from this instance's worker: its share of the destination's pool. */
  private final Map<String, Integer> caps;
  private final Duration ingestStuckAfter;
  private final Rematching rematching;

  private Outbox(Vertx vertx, CallBridgeConfig config, Database db, Metrics metrics, Clock clock, Sender sender,
      Options options) {
    this.vertx = vertx;
    this.db = db;
    this.clock = clock;
    this.options = options;
    this.destinations = config.destinations();
    this.sender = AnswerCheck.checking(sender, d -> destinations.containsKey(d) ? destinations.get(d).platform() : "other");
    this.metrics = new OutboxMetrics(metrics);
    this.retention = config.correlation();
    this.batcher = new IngestBatcher(db.pool(), clock, Math.max(1, config.postgres().poolSize()), options.maxBatch());
    this.workerId = host() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
    Duration longest = destinations.values().stream().map(DestinationConfig::requestTimeout)
        .max(Duration::compareTo).orElse(Duration.ofSeconds(10));
    this.lease = longest.plus(options.leaseMargin());
    // The worker's event loop has its own share of each destination's pool (as every sending loop does).
    int loops = Math.max(1, config.server().instances());
    Map<String, Integer> shares = new HashMap<>();
    destinations.values().forEach(d -> shares.put(d.name(), Math.max(1, (d.poolSize() + loops - 1) / loops)));
    this.caps = Map.copyOf(shares);
    this.ingestStuckAfter = config.outbox().ingestStuckAfter();
    this.rematching = new Rematching(db.pool(), clock, rematchers,
        () -> db.pool().query(OutboxSql.NOTIFY).execute().mapEmpty(), this.metrics);
  }

  /** The outbox of a gateway: delivers through {@code upstream} (its clients and breakers). */
  public static Outbox create(Vertx vertx, CallBridgeConfig config, Database db, Metrics metrics, Clock clock,
      UpstreamClient upstream) {
    return create(vertx, config, db, metrics, clock, new UpstreamSender(upstream, clock), Options.of(config.outbox()));
  }

  public static Outbox create(Vertx vertx, CallBridgeConfig config, Database db, Metrics metrics, Clock clock,
      Sender sender, Options options) {
    return new Outbox(vertx, config, db, metrics, clock, sender, options);
  }

  /**
   * Stores {@code envelope}; the future completes after the commit (CREATED, or what the key
   * collided with) and fails only when PostgreSQL could not commit it (answer 503 then).
   */
  @Override
  public Future<Enqueued> enqueue(Envelope envelope) {
    if (envelope.request().isEmpty()) {
      lastUnmatchedMs = clock.millis();
    }
    return batcher.submit(envelope, fingerprint(envelope));
  }

  private volatile long lastUnmatchedMs = Long.MIN_VALUE / 2;

  /** Why ingest is stuck (postbacks waiting over outbox.ingestStuckAfter for a commit, no batch answered), if it is. */
  public Optional<String> ingestStuck() {
    return batcher.stuck(ingestStuckAfter);
  }

  /** Whether unmatched postbacks may be waiting (this deployment's gauge, or one stored here lately). */
  public boolean hasUnmatched() {
    return metrics.depthOf("unmatched") > 0 || clock.millis() - lastUnmatchedMs < 10_000;
  }

  /**
   * Links with these ids ({@code kind:value}) are now in PostgreSQL: the unmatched postbacks waiting
   * for any of them are due for a look-up at once (the next sweep, within a second), on any instance.
   */
  public void wakeUnmatched(List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    db.pool().preparedQuery(OutboxSql.WAKE_UNMATCHED).execute(Tuple.of(keys.toArray(String[]::new), clock.millis()))
        .onFailure(e -> LOG.fine("waking unmatched postbacks failed (the sweep's back-off still finds them): "
            + e.getMessage()));
  }

  /** A row that reached its destination (2xx): which, its call id, and what the destination answered (truncated). */
  public record Delivered(long id, String route, String callId, String response) {}

  /**
   * Tells {@code listener} about each row of {@code route} this instance delivers (e.g. to link the
   * id the destination assigned). Best effort: runs after the 2xx, before the row is marked delivered.
   */
  public void onDelivered(String route, java.util.function.Consumer<Delivered> listener) {
    deliveredListeners.put(route, listener);
  }

  private void delivered(Delivered d) {
    java.util.function.Consumer<Delivered> listener = deliveredListeners.get(d.route());
    if (listener != null) {
      try {
        listener.accept(d);
      } catch (RuntimeException e) {
        LOG.warning("outbox row " + d.id() + ": delivered-listener of route " + d.route() + " failed: " + e);
      }
    }
  }

  /** Lets replay of a route's {@code unmatched} rows look the call up again. */
  public void rematcher(String route, Rematcher rematcher) {
    rematchers.put(route, rematcher);
  }

  public OutboxMetrics metrics() {
    return metrics;
  }

  /** The admin API ({@code /admin/postbacks…}), mounted on the admin router behind the admin token. */
  public java.util.function.Consumer<io.vertx.ext.web.Router> admin() {
    return new OutboxAdmin(db.pool(), clock, rematching)::mount;
  }

  /** The lease a worker holds a row under: the longest destination request timeout plus the margin. */
  public Duration lease() {
    return lease;
  }

  public String workerId() {
    return workerId;
  }

  /**
   * Starts the delivery worker (unless CALLBRIDGE_OUTBOX_DELIVERY=off), the depth gauges and the
   * retention purge (every {@code correlation.purgeInterval}).
   */
  public Future<Void> start() {
    depthTimer = vertx.setPeriodic(1, 5000, t -> refreshDepth());
    long purgeEvery = retention.purgeInterval().toMillis();
    purgeTimer = vertx.setPeriodic(purgeEvery, purgeEvery, t -> purgeFinished().onFailure(e ->
        LOG.warning("outbox retention purge failed (tried again in " + purgeEvery + " ms): " + e.getMessage())));
    if (!options.deliver()) {
      return Future.succeededFuture();
    }
    // Unmatched postbacks look their call up again by themselves (back-off per row, within the window).
    rematchTimer = vertx.setPeriodic(1000, 1000, t -> rematching.sweep(options.rematchWindow(), 100)
        .onFailure(e -> LOG.fine("unmatched sweep failed (tried again in 1 s): " + e.getMessage())));
    DeliveryWorker worker = new DeliveryWorker(db.pool(), Database.connectOptions(db.config(), "callbridge-listen"), channel(db.config().schema()),
        sender, clock, workerId, this::requestTimeout, lease, options.pollInterval(), options.maxInFlight(), metrics,
        this::delivered, caps);
    return vertx.deployVerticle(worker).map(id -> {
      deployment = id;
      return null;
    });
  }

  /** Stops claiming; requests in flight finish and are recorded. */
  public Future<Void> stop() {
    if (depthTimer >= 0) {
      vertx.cancelTimer(depthTimer);
    }
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    if (rematchTimer >= 0) {
      vertx.cancelTimer(rematchTimer);
    }
    Future<Void> undeployed = deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    return undeployed;
  }

  /**
   * Deletes finished rows (delivered, reconciled, cancelled, skipped) older than {@code correlation.retention}
   * by creation and last update, {@code correlation.purgeBatch} rows per statement until none is
   * left; answers how many. The idempotency key goes with the row: a copy arriving later still is
   * new again (by then the call's links are gone too). Rows waiting for someone are never purged.
   */
  public Future<Long> purgeFinished() {
    long cutoff = clock.millis() - retention.retention().toMillis();
    return purgeFrom(cutoff, 0);
  }

  private Future<Long> purgeFrom(long cutoff, long sofar) {
    int batch = retention.purgeBatch();
    return db.pool().preparedQuery(OutboxSql.PURGE_FINISHED).execute(Tuple.of(cutoff, batch)).compose(rows -> {
      int n = rows.rowCount();
      if (n > 0) {
        metrics.purged(n);
      }
      return n < batch ? Future.succeededFuture(sofar + n) : purgeFrom(cutoff, sofar + n);
    });
  }

  private Duration requestTimeout(String destination) {
    DestinationConfig d = destinations.get(destination);
    return d == null ? Duration.ofSeconds(10) : d.requestTimeout();
  }

  private void refreshDepth() {
    db.pool().query(OutboxSql.DEPTH).execute().compose(rows -> {
      Map<String, Long> byStatus = new HashMap<>();
      for (Row r : rows) {
        byStatus.put(r.getString("status"), r.getLong("n"));
      }
      return db.pool().query(OutboxSql.OLDEST_PENDING).execute().map(o -> {
        Row r = o.iterator().next();
        Long oldest = r.getLong("oldest");
        Long unmatched = r.getLong("oldest_unmatched");
        long now = clock.millis();
        metrics.depth(byStatus, oldest == null ? 0 : now - oldest, unmatched == null ? 0 : now - unmatched);
        return null;
      });
    });
  }

  String fingerprint(Envelope e) {
    return e.request().map(Outbox::fingerprint)
        .orElseGet(() -> Digests.ofTexts("unmatched", e.raw().query(), new String(e.raw().body(), StandardCharsets.UTF_8)));
  }

  static String fingerprint(StoredRequest r) {
    return Digests.ofTexts(r.destination(), r.method(), r.uri(), r.bodyText());
  }

  static String channel(String schema) {
    String c = "callbridge_outbox_" + schema;
    return c.length() > 63 ? c.substring(0, 63) : c;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
