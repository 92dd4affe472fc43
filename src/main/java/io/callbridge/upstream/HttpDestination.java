package io.callbridge.upstream;

import io.callbridge.config.DestinationConfig;
import io.callbridge.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One destination's HTTP client: its own pool (size, wait queue, keep-alive, connect timeout from
 * configuration), TLS verification unless it is a local simulator, redirects never followed,
 * default headers. Sends without a breaker; {@link Breakers} wraps it.
 */
final class HttpDestination {
  final DestinationConfig config;
  final Vertx vertx;
  final HttpClientAgent client;
  final Clock clock;
  final String host;
  final int port;
  final boolean tls;
  final String basePath;
  final MultiMap defaultHeaders;
  /** Requests holding a connection (in use) and requests waiting for one, for the pool gauges. */
  final AtomicInteger inUse = new AtomicInteger();
  final AtomicInteger waiting = new AtomicInteger();

  HttpDestination(Vertx vertx, DestinationConfig config, Clock clock) {
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
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(config.poolSize())
        .setHttp2MaxSize(Math.max(1, config.poolSize() / 10))
        .setMaxWaitQueueSize(config.waitQueue());
    this.client = vertx.createHttpClient(options, pool);
  }

  Future<Outcome> send(OutboundRequest request, Deadline deadline, Future<Void> cancel) {
    return new Exchange(this, request, deadline, cancel).start();
  }

  Future<Void> close() {
    return client.close();
  }
}
