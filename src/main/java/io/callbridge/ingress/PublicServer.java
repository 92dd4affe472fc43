package io.callbridge.ingress;

import io.callbridge.config.RouteConfig;
import io.callbridge.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The public port: one instance per event loop, all sharing the port. Stopping it stops accepting
 * and lets in-flight requests finish within the shutdown grace.
 */
public final class PublicServer extends VerticleBase {
  private final ServerConfig server;
  private final List<RouteConfig> routes;
  private final Map<String, Flow> flows;
  private final IngressMetrics metrics;
  private final Clock clock;
  private final int port;
  private final Guards guards;
  private HttpServer http;
  private LoopLag lag;
  private long tlsWatch = -1;

  public PublicServer(ServerConfig server, List<RouteConfig> routes, Map<String, Flow> flows, IngressMetrics metrics,
      Clock clock, int port, Guards guards) {
    this.server = server;
    this.guards = guards;
    this.routes = routes;
    this.flows = flows;
    this.metrics = metrics;
    this.clock = clock;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(server.host())
        .setPort(port)
        .setIdleTimeout((int) server.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setHttp2ClearTextEnabled(false)
        .setMaxInitialLineLength(8192)
        // Requests are read and answered on their event loop only (IngressRouter hands answers
        // finished elsewhere back to it), so Vert.x can skip its cross-thread queue and locks.
        .setStrictThreadMode(true);
    TlsFiles tls;
    try {
      tls = TlsFiles.onto(server.tls(), options);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    lag = new LoopLag(vertx, metrics.loopLag(Thread.currentThread().getName()));
    lag.start();
    http = vertx.createHttpServer(options)
        .requestHandler(new IngressRouter(server, routes, flows, metrics, clock, guards))
        .invalidRequestHandler(PublicServer::invalid)
        .connectionHandler(PublicServer::guard);
    return http.listen().onSuccess(s -> {
      if (tls != null) {
        tlsWatch = tls.watch(vertx, http);
      }
    });
  }

  public int actualPort() {
    return http.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (lag != null) {
      lag.stop();
    }
    vertx.cancelTimer(tlsWatch);
    return http == null ? Future.succeededFuture() : http.shutdown(server.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A request line or headers the HTTP decoder could not read: 414 / 431 for a line or headers too
   * long, 505 for a version the decoder refuses, else 400, each as a JSON error, and the connection
   * is closed. (A well-formed line with HTTP/2.0 never gets here: Vert.x itself answers it 501.)
   */
  static void invalid(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String text = cause == null ? "" : String.valueOf(cause.getMessage());
    int status;
    String error;
    if (cause instanceof io.netty.handler.codec.TooLongFrameException && text.contains("header")) {
      status = 431;
      error = "request headers too large";
    } else if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
      status = 414;
      error = "request line too long";
    } else if (cause instanceof IllegalArgumentException && text.toLowerCase(java.util.Locale.ROOT).contains("version")) {
      status = 505;
      error = "HTTP version not supported: use HTTP/1.1";
    } else {
      status = 400;
      error = "malformed HTTP request" + (text.isEmpty() ? "" : ": " + text);
    }
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("error", error);
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close").end(body.encode());
  }

  /** Puts {@link HttpGuard} after the HTTP decoder of a new connection (Vert.x's own connection type). */
  static void guard(io.vertx.core.http.HttpConnection connection) {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
      io.netty.channel.ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get("httpDecoder") != null && pipeline.get(HttpGuard.NAME) == null) {
        pipeline.addAfter("httpDecoder", HttpGuard.NAME, new HttpGuard());
      }
    }
  }
}
