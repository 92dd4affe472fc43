package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * One outbound request from send to outcome. A timer owns the budget: when it fires the HTTP
 * request itself is reset (the connection closes), not only the future completed. A failure
 * before anything was sent (refused, DNS, connect timeout) is tried once more while budget remains;
 * a failure after sending is never retried here (it is ambiguous: the destination may have it).
 */
final class OutboundCall {
  static final int MAX_ATTEMPTS = 2;
  static final Duration MIN_BUDGET = Duration.ofMillis(5);

  private final HttpDestination d;
  private final OutboundRequest req;
  private final Deadline deadline;
  private final Future<Void> cancel;
  private final Promise<Outcome> result = Promise.promise();
  private final AtomicBoolean settled = new AtomicBoolean();
  private final AtomicBoolean holding = new AtomicBoolean();
  /** This request's event loop's count of connections in use (its share of the pool). */
  private final java.util.concurrent.atomic.AtomicInteger loopInUse;
  private final long startNanos = System.nanoTime();
  private volatile HttpClientRequest request;
  private volatile boolean sent;
  private volatile long timerId = -1;
  private int attempts;

  OutboundCall(HttpDestination d, OutboundRequest req, Deadline deadline, Future<Void> cancel) {
    this.d = d;
    this.req = req;
    this.deadline = deadline;
    this.cancel = cancel;
    this.loopInUse = d.loopInUse(); // the loop that sends is the one creating the call
  }

  Future<Outcome> start() {
    long ms = Math.max(1, deadline.remaining().toMillis());
    timerId = d.vertx.setTimer(ms, t -> settle(new Outcome.Timeout(sent, latency()), true));
    if (cancel != UpstreamClient.NEVER) {
      cancel.onComplete(v -> settle(new Outcome.Cancelled(sent, latency()), true));
    }
    result.future().onComplete(v -> release());
    attempt();
    return result.future();
  }

  private void attempt() {
    if (settled.get()) {
      return;
    }
    attempts++;
    long connectMs = Math.max(1, Math.min(d.config.connectTimeout().toMillis(), deadline.remaining().toMillis()));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(d.defaultHeaders);
    req.headers().forEach(headers::set);
    if (!req.contentType().isEmpty()) {
      headers.set("Content-Type", req.contentType());
    }
    String host = d.host;
    String callHost = headers.get("Host");
    headers.remove("Host");
    if (callHost != null) {
      // Per-call host (a TrackDrive company's subdomain): only hosts the destination allows, never one built
      // from input alone; without one the request goes to the baseUrl's host (checked at load). A simulator
      // is reached at its baseUrl with the call's host in the Host header.
      if (!d.config.allowsHost(callHost)) {
        settle(new Outcome.Refused("no allowed per-call host for this request (Host '" + callHost + "'; allowed: "
            + d.config.subdomains() + ")", attempts, latency()), false);
        return;
      }
      host = callHost;
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(req.method()))
        .setHost(host)
        .setPort(d.port)
        .setSsl(d.tls)
        .setURI(d.basePath + req.uri())
        .setFollowRedirects(false)
        .setConnectTimeout(connectMs)
        .setHeaders(headers);
    if (d.config.simulator() && !host.equals(d.host)) {
      options.setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(d.port, d.host));
    }
    d.waiting.incrementAndGet();
    d.client().request(options).onComplete(ar -> {
      d.waiting.decrementAndGet();
      if (ar.failed()) {
        notConnected(ar.cause());
      } else {
        connected(ar.result());
      }
    });
  }

  private void connected(HttpClientRequest r) {
    if (settled.get()) {
      r.reset();
      return;
    }
    d.inUse.incrementAndGet();
    loopInUse.incrementAndGet();
    holding.set(true);
    request = r;
    if (settled.get()) {
      // The budget ended while we were connecting: reset here, the timer may not have seen the request.
      r.reset();
      release();
      return;
    }
    sent = true;
    Future<HttpClientResponse> response = req.body().length == 0 ? r.send() : r.send(Buffer.buffer(req.body()));
    response.onComplete(ar -> {
      if (ar.failed()) {
        settle(new Outcome.InvalidResponse("connection failed after the request was sent: " + describe(ar.cause()), 0,
            true, latency()), true);
      } else if (!settled.get()) {
        read(ar.result());
      }
    });
  }

  private void notConnected(Throwable cause) {
    if (settled.get()) {
      return;
    }
    // Our own pool, not the destination: its wait queue is full, or no connection of this loop's share
    // came free in time. Back-pressure: nothing was sent, and the destination is not to blame.
    if (cause instanceof ConnectionPoolTooBusyException
        || (cause instanceof TimeoutException && loopInUse.get() >= d.share())) {
      settle(new Outcome.NoConnection(cause instanceof ConnectionPoolTooBusyException
          ? "no pooled connection: the wait queue (waitQueue) is full"
          : "no pooled connection within " + d.config.connectTimeout().toMillis() + "ms: all " + d.share()
              + " of this event loop's connections are in use (poolSize)", latency()), false);
      return;
    }
    boolean retryable = cause instanceof ConnectException || cause instanceof UnknownHostException
        || cause instanceof TimeoutException;
    String detail = cause instanceof ConnectionPoolTooBusyException ? "connection pool wait queue is full"
        : cause instanceof UnknownHostException ? "unknown host " + d.host
        : cause instanceof TimeoutException ? "no connection within " + d.config.connectTimeout().toMillis() + "ms"
        : cause instanceof SSLException ? "TLS handshake failed: " + describe(cause)
        : describe(cause);
    if (retryable && attempts < MAX_ATTEMPTS && deadline.remaining().compareTo(MIN_BUDGET) >= 0) {
      attempt();
      return;
    }
    settle(new Outcome.Refused(detail, attempts, latency()), false);
  }

  private void read(HttpClientResponse resp) {
    int status = resp.statusCode();
    long max = d.config.maxResponseBytes();
    // Before anything can reset the request: a reset is reported here, and must not be logged as unhandled.
    resp.exceptionHandler(t -> settle(new Outcome.InvalidResponse(
        "connection failed while reading the response: " + describe(t), status, true, latency()), true));
    String length = resp.getHeader("Content-Length");
    if (length != null) {
      try {
        long n = Long.parseLong(length.trim());
        if (n > max) {
          settle(new Outcome.InvalidResponse("response body of " + n + " bytes is over maxResponseBytes (" + max + ")",
              status, true, latency()), true);
          return;
        }
      } catch (NumberFormatException ignored) {
        // read and count instead
      }
    }
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (settled.get()) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        settle(new Outcome.InvalidResponse("response body is over maxResponseBytes (" + max + ")", status, true,
            latency()), true);
        return;
      }
      body.appendBuffer(chunk);
    });
    resp.endHandler(v -> settle(classify(status, resp.headers(), body), false));
  }

  private Outcome classify(int status, MultiMap headers, Buffer body) {
    if (status >= 200 && status < 300) {
      return new Outcome.Ok(status, headers, body, latency());
    }
    return new Outcome.HttpError(status, headers, body, retryAfter(headers.get("Retry-After")), latency());
  }

  /** Retry-After as delta-seconds or an HTTP date; a date in the past is zero. */
  Optional<Duration> retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration left = Duration.between(d.clock.instant(), at.toInstant());
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
      } catch (RuntimeException notADate) {
        return Optional.empty();
      }
    }
  }

  private void settle(Outcome outcome, boolean reset) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    long timer = timerId;
    if (timer >= 0) {
      d.vertx.cancelTimer(timer);
    }
    HttpClientRequest r = request;
    if (reset && r != null) {
      r.reset();
    }
    result.complete(outcome);
  }

  private void release() {
    if (holding.getAndSet(false)) {
      d.inUse.decrementAndGet();
      loopInUse.decrementAndGet();
    }
  }

  private Duration latency() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
