package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.callbridge.config.DestinationConfig;
import io.callbridge.config.Secret;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One destination's HTTP clients: its own pools (size, wait queue, keep-alive, connect timeout from
 * configuration), TLS verification unless it is a local simulator, redirects never followed,
 * default headers. Sends without a breaker; {@link Breakers} decorates it.
 *
 * <p>Each event loop that sends gets its own client holding its share of the pool
 * ({@code poolSize / loops}, rounded up): a request's connection then lives on the loop that
 * handles the inbound request, so its writes and its answer never hop between threads (a pool
 * shared by several loops hands a loop's request another loop's connection about half the time,
 * which cost a fifth of the ping flow's CPU). Callers off an event loop share one more client.
 */
final class HttpDestination {
  final DestinationConfig config;
  final Vertx vertx;
  private final HttpClientOptions options;
  private final PoolOptions pool;
  private final ConcurrentHashMap<Thread, HttpClientAgent> perLoop = new ConcurrentHashMap<>();
  private final HttpClientAgent offLoop;
  final Clock clock;
  final String host;
  final int port;
  final boolean tls;
  final String basePath;
  final MultiMap defaultHeaders;
  /** Requests holding a connection (in use) and requests waiting for one, for the pool gauges. */
  final AtomicInteger inUse = new AtomicInteger();
  /** Connections in use per sending event loop (each has its own share of the pool), and off a loop. */
  private final ConcurrentHashMap<Thread, AtomicInteger> inUseByLoop = new ConcurrentHashMap<>();
  private final AtomicInteger inUseOffLoop = new AtomicInteger();
  final AtomicInteger waiting = new AtomicInteger();

  HttpDestination(Vertx vertx, DestinationConfig config, Clock clock) {
    this(vertx, config, clock, 1);
  }

  /** {@code loops}: how many event loops share the pool (the public server's instances). */
  HttpDestination(Vertx vertx, DestinationConfig config, Clock clock, int loops) {
    this.config = config;
    this.vertx = vertx;
    this.clock = clock;
    this.host = config.baseUrl().getHost();
    this.port = config.port();
    this.tls = config.tls();
    String p = config.baseUrl().getRawPath();
    this.basePath = p == null || p.equals("/") ? "" : (p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, Secret> e : config.headers().entrySet()) {
      h.set(e.getKey(), e.getValue().value());
    }
    this.defaultHeaders = h;
    int keepAliveSeconds = (int) Math.max(1, config.keepAlive().toSeconds());
    HttpClientOptions options = new HttpClientOptions()
        .setName(config.name())
        .setMetricsName(config.name())
        .setConnectTimeout((int) Math.max(1, config.connectTimeout().toMillis()))
        .setKeepAlive(!config.keepAlive().isZero())
        .setKeepAliveTimeout(keepAliveSeconds)
        .setMaxRedirects(0)
        .setTcpNoDelay(true)
        .setSsl(tls)
        .setVerifyHost(!config.simulator())
        .setTrustAll(config.simulator());
    int share = Math.max(1, ceilDiv(config.poolSize(), Math.max(1, loops)));
    this.options = options;
    this.pool = new PoolOptions()
        .setHttp1MaxSize(share)
        .setHttp2MaxSize(Math.max(1, share / 10))
        .setMaxWaitQueueSize(ceilDiv(config.waitQueue(), Math.max(1, loops)));
    this.offLoop = vertx.createHttpClient(options, pool);
  }

  /** The calling event loop's client (created on its first request), or the shared one off a loop. */
  HttpClientAgent client() {
    if (!Context.isOnEventLoopThread()) {
      return offLoop;
    }
    Thread loop = Thread.currentThread();
    HttpClientAgent c = perLoop.get(loop);
    if (c == null) {
      c = perLoop.computeIfAbsent(loop, t -> vertx.createHttpClient(options, pool));
    }
    return c;
  }

  /** The calling event loop's count of connections in use (its client's), or the off-loop client's. */
  AtomicInteger loopInUse() {
    return Context.isOnEventLoopThread()
        ? inUseByLoop.computeIfAbsent(Thread.currentThread(), t -> new AtomicInteger()) : inUseOffLoop;
  }

  /** How many connections one client (one event loop's share) may hold. */
  int share() {
    return pool.getHttp1MaxSize();
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  Future<Outcome> send(OutboundRequest request, Deadline deadline, Future<Void> cancel) {
    return new OutboundCall(this, request, deadline, cancel).start();
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(offLoop.close());
    perLoop.values().forEach(c -> closing.add(c.close()));
    return Future.join(closing).mapEmpty();
  }
}
