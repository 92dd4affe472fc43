package io.callbridge.correlation;

import io.callbridge.config.CorrelationConfig;
import io.callbridge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The correlation store: ties the ids each platform knows a call by into one record, so a postback
 * from one side finds the call on the other.
 *
 * <p>{@link #link} never blocks and never waits for PostgreSQL: it updates the cache (shared by all
 * event loops, one compact entry per call, found by every id) and queues the record for the
 * correlation verticle, which writes batches behind with one multi-row insert. {@link #find} answers from the cache, else reads through
 * to PostgreSQL, so links written by another instance or before a restart are found too.
 *
 * <pre>{@code
 * // ping: the TrackDrive call, the bid it won, the caller
 * correlation.link("td-ping", CallLink.builder().callUuid(callUuid, subdomain)
 *     .bid(bidId, bidAmount, Instant.ofEpochMilli(bidExpireEpoch)).callerId(callerId).build());
 * // postback: the Ringba call of a TrackDrive uuid
 * correlation.find(IdKind.CALL_UUID, callUuid, IdKind.INBOUND_CALL_ID)
 *     .map(r -> r.flatMap(CallRecord::inboundCallId));
 * }</pre>
 */
public final class Correlation implements CallLinks {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Correlation.class.getName());
  private final java.util.Map<String, java.util.function.Function<CallRecord, Future<Optional<Object>>>> details =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Vertx vertx;
  private final CorrelationConfig config;
  private final Clock clock;
  private final LinkCache cache;
  private final LinkStore store;
  private final WriteBehind writeBehind;
  private final CorrelationMetrics metrics;
  private String deploymentId;

  private Correlation(Vertx vertx, Pool pool, CorrelationConfig config, Metrics metrics, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.cache = new LinkCache(config.cacheMaxEntries(), config.cacheMaxAge(), config.callerIdWindow(), clock.millis());
    this.store = new LinkStore(pool);
    WriteBehind[] wb = new WriteBehind[1];
    this.metrics = new CorrelationMetrics(metrics, cache::size, () -> wb[0] == null ? 0 : wb[0].depth());
    this.writeBehind = new WriteBehind(config.queueCapacity(), config.flushBatch(), config.flushConcurrency(), store,
        this.metrics);
    wb[0] = writeBehind;
  }

  /** The store on {@code pool} (its search_path the CallBridge schema, migrated); {@link #start()} it next. */
  public static Correlation create(Vertx vertx, Pool pool, CorrelationConfig config, Metrics metrics, Clock clock) {
    return new Correlation(vertx, pool, config, metrics, clock);
  }

  /** Day partitions of call_link kept ready ahead of the clock (see LinkStore#ensureDays). */
  static final int PARTITION_DAYS_AHEAD = 3;

  /** Makes the coming days' partitions, then deploys the correlation verticle (flush and retention timers). */
  public Future<Void> start() {
    return store.ensureDays(clock.millis(), PARTITION_DAYS_AHEAD)
        .recover(err -> {
          // Rows still land in call_link_default; the retention timer tries again.
          LOG.warning("correlation: cannot create call_link's coming day partitions: " + err.getMessage());
          return Future.succeededFuture();
        })
        .compose(x -> deploy());
  }

  private Future<Void> deploy() {
    CorrelationVerticle verticle = new CorrelationVerticle(writeBehind, config.flushInterval().toMillis(),
        config.purgeInterval().toMillis(), this::purgeExpired);
    return vertx.deployVerticle(verticle).map(id -> {
      deploymentId = id;
      return null;
    });
  }

  /**
   * Records that {@code route} saw these ids together. Merges the records they name (a known id is
   * never replaced by an empty or different one; the bid sighted last replaces an older one), queues the
   * write, and answers the record as it now stands (empty when the link carried no id at all).
   * Never blocks; callable from any thread.
   */
  @Override
  public Optional<CallRecord> link(String route, CallLink link) {
    if (link.isEmpty()) {
      return Optional.empty();
    }
    CallRecord merged = cache.link(link, route, clock.millis());
    metrics.links.increment();
    writeBehind.offer(merged);
    return Optional.of(merged);
  }

  @Override
  public void linkShared(String route, String bidId, CallLink call) {
    Optional<CallRecord> linked = link(route, call);
    String callUuid = call.id(IdKind.CALL_UUID).orElse(null);
    if (callUuid == null || linked.isEmpty() || linked.get().bidId().filter(bidId::equals).isPresent()) {
      return; // no call to name, or the very call that won the bid (a repeated ping of one call)
    }
    // Written at once (never awaited): a shield hit is rare next to pings, and the ambiguity must
    // be known to any instance a postback for that bid reaches.
    store.sharedBid(bidId, callUuid, call.subdomain().orElse(null), clock.millis()).onFailure(err ->
        java.util.logging.Logger.getLogger(Correlation.class.getName()).warning("shared bid " + bidId
            + " of call " + callUuid + " not recorded: " + err.getMessage()));
  }

  /** The call {@code value} names; a caller id names the most recently seen call from it within the window. */
  public Future<Optional<CallRecord>> find(IdKind kind, String value) {
    return find(kind, value, null);
  }

  /**
   * Like {@link #find(IdKind, String)}, but a cached record without a {@code needed} id is checked
   * against PostgreSQL too: another instance may have linked that id since this one cached the call.
   */
  @Override
  public Future<Optional<CallRecord>> find(IdKind kind, String value, IdKind needed) {
    String v = kind.normalize(value);
    if (v == null) {
      return Future.succeededFuture(Optional.empty());
    }
    long now = clock.millis();
    CallRecord cached = cache.get(kind, v, now);
    if (cached != null && (needed == null || cached.has(needed))) {
      metrics.hit(kind);
      return Future.succeededFuture(Optional.of(cached));
    }
    metrics.miss(kind);
    return store.read(kind, v, now - config.callerIdWindow().toMillis()).map(loaded -> {
      if (loaded.isEmpty()) {
        metrics.storeAbsent.increment();
        return Optional.ofNullable(cached);
      }
      metrics.storeFound.increment();
      return Optional.of(cache.fill(loaded.get(), clock.millis()));
    });
  }

  /** How many calls a caller id may name before it is ambiguous: enough to show the candidates. */
  static final int CANDIDATES = 3;

  /**
   * How long a money lookup waits for links every instance made before it asked: two write-behind
   * intervals (a batch may just have left) plus a margin for the batch itself. A link made by any
   * instance before the postback arrived is in PostgreSQL by then, unless that instance's writes are
   * failing (its {@code callbridge_correlation_flush_failures_total} says so).
   */
  long settleMs() {
    return 2 * config.flushInterval().toMillis() + 100;
  }

  /**
   * The call {@code value} names, for a postback: a platform id is answered by {@link #find}, and,
   * when that does not know the call (or it lacks {@code needed}), looked up in PostgreSQL once more
   * after {@link #settleMs()}, so a link another instance made just before is not missed. A caller id
   * is weak: this instance's queued links are flushed, every instance's are waited for, and then
   * PostgreSQL counts the calls from that caller within the window that have a {@code needed} id.
   * One is the call; several are {@link CallMatch.Ambiguous}, never the most recent one.
   */
  @Override
  public Future<CallMatch> match(IdKind kind, String value, IdKind needed) {
    String v = kind.normalize(value);
    if (v == null) {
      return Future.succeededFuture(CallMatch.UNKNOWN);
    }
    Future<CallMatch> answer = kind.isPlatformId() ? matchPlatformId(kind, v, needed) : matchCaller(v, needed);
    return answer.onSuccess(m -> (m instanceof CallMatch.Found ? metrics.matchFound
        : m instanceof CallMatch.Ambiguous ? metrics.matchAmbiguous : metrics.matchUnknown).increment());
  }

  private Future<CallMatch> matchPlatformId(IdKind kind, String v, IdKind needed) {
    Future<CallMatch> match = find(kind, v, needed).compose(first -> {
      if (first.isPresent() && (needed == null || first.get().has(needed))) {
        return Future.succeededFuture(new CallMatch.Found(first.get()));
      }
      return settled().compose(x -> store.read(kind, v, 0)).map(again -> again
          .map(r -> cache.fill(r, clock.millis())).or(() -> first)
          .<CallMatch>map(CallMatch.Found::new).orElse(CallMatch.UNKNOWN));
    });
    if (kind != IdKind.BID_ID) {
      return match;
    }
    // A bid the shield gave to further calls names all of them: several calls got that number.
    return match.compose(m -> !(m instanceof CallMatch.Found f) ? Future.succeededFuture(m)
        : store.sharedCalls(v).map(others -> {
          if (others.isEmpty()) {
            return m;
          }
          java.util.LinkedHashSet<String> calls = new java.util.LinkedHashSet<>(others);
          f.call().callUuid().ifPresent(calls::add);
          return calls.size() < 2 ? m : new CallMatch.Ambiguous(IdKind.CALL_UUID, List.copyOf(calls));
        }));
  }

  private Future<CallMatch> matchCaller(String callerId, IdKind needed) {
    if (needed == null || needed == IdKind.CALLER_ID) {
      return find(IdKind.CALLER_ID, callerId, null)
          .map(r -> r.<CallMatch>map(CallMatch.Found::new).orElse(CallMatch.UNKNOWN));
    }
    long since = clock.millis() - config.callerIdWindow().toMillis();
    return Future.join(flush(), settled())
        .compose(x -> store.callerCandidates(callerId, since, needed, CANDIDATES))
        .compose(candidates -> {
          if (candidates.size() > 1) {
            return Future.succeededFuture(new CallMatch.Ambiguous(needed, List.copyOf(candidates)));
          }
          if (candidates.isEmpty()) {
            return Future.succeededFuture(CallMatch.UNKNOWN);
          }
          return store.read(needed, candidates.get(0), 0).map(r -> r.map(found -> cache.fill(found, clock.millis()))
              .<CallMatch>map(CallMatch.Found::new).orElse(CallMatch.UNKNOWN));
        });
  }

  private Future<Void> settled() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.setTimer(settleMs(), t -> done.complete());
    return done.future();
  }

  /** The call any id names, whatever its kind (platform ids first, then a caller id). For the admin API. */
  public Future<Optional<CallRecord>> findAny(String anyId) {
    String v = anyId == null ? null : anyId.trim();
    if (v == null || v.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    long now = clock.millis();
    for (IdKind k : IdKind.PLATFORM) {
      CallRecord r = cache.get(k, v, now);
      if (r != null) {
        return Future.succeededFuture(Optional.of(r));
      }
    }
    String caller = looksLikePhone(v) ? IdKind.CALLER_ID.normalize(v) : null;
    return store.readAny(v).compose(found -> {
      if (found.isPresent()) {
        return Future.succeededFuture(Optional.of(cache.fill(found.get(), clock.millis())));
      }
      return caller == null ? Future.succeededFuture(Optional.<CallRecord>empty()) : find(IdKind.CALLER_ID, caller);
    });
  }

  private static boolean looksLikePhone(String v) {
    return v.matches("\\+?[0-9 ().-]{7,20}");
  }

  /** The admin endpoint {@code GET /admin/calls/{anyId}}. */
  public java.util.function.Consumer<io.vertx.ext.web.Router> admin() {
    return new CallsAdmin(this, details);
  }

  /**
   * What another capability keeps about a call (e.g. enrich's per-target outcomes), shown with the
   * call's record in the admin view under {@code name}. The first registration of a name wins.
   */
  public void detail(String name, java.util.function.Function<CallRecord, Future<Optional<Object>>> detail) {
    details.putIfAbsent(name, detail);
  }

  /**
   * Tells {@code keys} the ids ({@link IdKind#key} form) of each batch of links once PostgreSQL has
   * them, while {@code wanted} says someone waits for links (the outbox's unmatched postbacks).
   */
  public void onWritten(java.util.function.BooleanSupplier wanted, java.util.function.Consumer<List<String>> keys) {
    writeBehind.onWritten(records -> {
      if (!wanted.getAsBoolean()) {
        return;
      }
      List<String> out = new java.util.ArrayList<>(records.size() * 3);
      for (CallRecord r : records) {
        for (IdKind k : IdKind.ALL) {
          r.id(k).map(v -> k.wireName() + ":" + v).ifPresent(out::add);
        }
      }
      keys.accept(out);
    });
  }

  /** Writes everything queued so far; completes once it is in PostgreSQL. */
  public Future<Void> flush() {
    return writeBehind.drain();
  }

  /** One retention pass: removes links last seen longer ago than {@code correlation.retention}, in batches. */
  public Future<Long> purgeExpired() {
    long now = clock.millis();
    long cutoff = now - config.retention().toMillis();
    return store.ensureDays(now, PARTITION_DAYS_AHEAD)
        .compose(x -> store.purge(cutoff, config.purgeBatch())).onSuccess(metrics.purged::increment);
  }

  /** Forgets every cached link (PostgreSQL keeps them); the next finds read through. */
  public void clearCache() {
    cache.invalidateAll();
  }

  /** Queued writes: calls whose latest record waits to be written (one each, however often linked meanwhile). */
  public int queueDepth() {
    return writeBehind.depth();
  }

  /** Flushes the queue and stops the verticle. Call before the pool closes. */
  public Future<Void> close() {
    return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
  }
}
