package io.callbridge.outbox;

import io.callbridge.config.DestinationConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TEMPORARY adapter until the outbound core (issue 4) lands: one plain Vert.x client per
 * destination, no breaker, no redirects, the answer read up to the destination's cap. It tells a
 * failure before the request was written (refused) from one after (timeout, reset): only the
 * latter may have reached the destination.
 */
final class HttpSender implements Sender {
  private final Vertx vertx;
  private final Map<String, DestinationConfig> destinations;
  private final Map<String, HttpClientAgent> clients = new HashMap<>();

  HttpSender(Vertx vertx, Map<String, DestinationConfig> destinations) {
    this.vertx = vertx;
    this.destinations = destinations;
    destinations.forEach((name, d) -> clients.put(name, vertx.createHttpClient(new HttpClientOptions()
            .setSsl(d.tls())
            .setDefaultHost(d.baseUrl().getHost())
            .setDefaultPort(d.port())
            .setConnectTimeout((int) d.connectTimeout().toMillis())
            .setKeepAliveTimeout((int) Math.max(1, d.keepAlive().toSeconds()))
            .setTrustAll(d.simulator())
            .setVerifyHost(!d.simulator()),
        new PoolOptions().setHttp1MaxSize(d.poolSize()).setMaxWaitQueueSize(d.waitQueue()))));
  }

  @Override
  public Future<Result> send(StoredRequest request, Duration timeout) {
    DestinationConfig d = destinations.get(request.destination());
    HttpClientAgent client = clients.get(request.destination());
    if (d == null || client == null) {
      return Future.succeededFuture(Result.failure(Kind.NOT_SENT, "unknown destination '" + request.destination() + "'"));
    }
    String basePath = d.baseUrl().getRawPath() == null ? "" : d.baseUrl().getRawPath().replaceAll("/$", "");
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(request.method()))
        .setURI(basePath + request.uri())
        .setFollowRedirects(false);
    d.headers().forEach((k, v) -> options.putHeader(k, v.value()));
    request.headers().forEach(options::putHeader);
    Promise<Result> result = Promise.promise();
    AtomicBoolean written = new AtomicBoolean(false);
    AtomicBoolean timedOut = new AtomicBoolean(false);
    HttpClientRequest[] inFlight = new HttpClientRequest[1];
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      timedOut.set(true);
      if (inFlight[0] != null) {
        inFlight[0].reset();
      }
      result.tryComplete(written.get()
          ? Result.failure(Kind.TIMEOUT, "no answer within " + timeout.toMillis() + "ms")
          : Result.failure(Kind.REFUSED, "not connected within " + timeout.toMillis() + "ms"));
    });
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        result.tryComplete(Result.failure(Kind.REFUSED, String.valueOf(ar.cause().getMessage())));
        return;
      }
      HttpClientRequest req = ar.result();
      inFlight[0] = req;
      if (timedOut.get()) {
        req.reset();
        return;
      }
      written.set(true);
      req.send(Buffer.buffer(request.body())).onComplete(resp -> {
        if (resp.failed()) {
          result.tryComplete(Result.failure(timedOut.get() ? Kind.TIMEOUT : Kind.RESET,
              "connection closed after the request was sent: " + resp.cause().getMessage()));
          return;
        }
        read(resp.result(), d.maxResponseBytes(), result);
      });
    });
    return result.future().onComplete(x -> vertx.cancelTimer(timer));
  }

  private static void read(HttpClientResponse resp, long cap, Promise<Result> result) {
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (body.length() < cap) {
        body.appendBuffer(chunk.length() > cap - body.length() ? chunk.slice(0, (int) (cap - body.length())) : chunk);
      }
    });
    resp.exceptionHandler(err -> result.tryComplete(Result.failure(Kind.RESET,
        "connection closed while reading the answer: " + err.getMessage())));
    resp.endHandler(v -> result.tryComplete(Result.http(resp.statusCode(), retryAfter(resp.getHeader("Retry-After")),
        Optional.ofNullable(resp.getHeader("Location")), body.toString())));
  }

  /** Retry-After as seconds (an HTTP date counts as absent: senders of dates are rare and clocks differ). */
  static Optional<Duration> retryAfter(String header) {
    if (header == null) {
      return Optional.empty();
    }
    try {
      long s = Long.parseLong(header.trim());
      return s < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  Future<Void> close() {
    return Future.join(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
  }

}
