package io.callbridge.flow.ping;

import io.callbridge.config.DestinationConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.upstream.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TEMPORARY: a thin stand-in for the outbound core (branch upstream, issue 4) so the flow can be
 * built and tested before it lands. One keep-alive client per destination, the RTB body of
 * conf/templates/ringba-rtb-ping.yaml written by hand, a timer that resets the request when the
 * budget ends. No breaker, no template engine: it is replaced by the upstream adapter.
 */
final class StandInTransport implements RtbTransport {
  private final Vertx vertx;
  private final List<HttpClientAgent> clients = new ArrayList<>();
  private final List<TargetConfig> targets;

  StandInTransport(Vertx vertx, List<TargetConfig> targets, Map<String, DestinationConfig> destinations) {
    this.vertx = vertx;
    this.targets = targets;
    Map<String, HttpClientAgent> byDestination = new HashMap<>();
    for (TargetConfig t : targets) {
      clients.add(byDestination.computeIfAbsent(t.destination(), name -> {
        DestinationConfig d = destinations.get(name);
        HttpClientOptions options = new HttpClientOptions()
            .setDefaultHost(d.baseUrl().getHost())
            .setDefaultPort(d.port())
            .setSsl(d.tls())
            .setTrustAll(d.simulator() && d.tls())
            .setVerifyHost(!d.simulator())
            .setKeepAlive(true)
            .setKeepAliveTimeout((int) Math.max(1, d.keepAlive().toSeconds()))
            .setConnectTimeout((int) d.connectTimeout().toMillis())
            .setTcpNoDelay(true)
            .setName("rtb-" + name);
        return vertx.createHttpClient(options,
            new PoolOptions().setHttp1MaxSize(d.poolSize()).setMaxWaitQueueSize(d.waitQueue()));
      }));
    }
  }

  @Override
  public Future<Exchange> send(int target, PingRequest request, Deadline budget) {
    long start = System.nanoTime();
    long ms = budget.remaining().toMillis();
    if (ms <= 0) {
      return Future.succeededFuture(Exchange.failed(Exchange.Kind.NO_BUDGET, 0, 0));
    }
    TargetConfig t = targets.get(target);
    Buffer body = body(request).toBuffer();
    Promise<Exchange> done = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long timer = vertx.setTimer(ms, id -> {
      if (done.tryComplete(Exchange.failed(Exchange.Kind.TIMEOUT, 0, System.nanoTime() - start)) && sent[0] != null) {
        sent[0].reset();
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI("/v1/production/" + t.vars().getOrDefault("rtb_id", "") + ".json")
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json");
    clients.get(target).request(options)
        .compose(req -> {
          sent[0] = req;
          if (done.future().isComplete()) {
            req.reset();
            return Future.failedFuture("cancelled");
          }
          return req.send(body);
        })
        .compose(resp -> resp.body().map(b -> Exchange.ok(resp.statusCode(), b, System.nanoTime() - start)))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          long took = System.nanoTime() - start;
          if (ar.succeeded()) {
            done.tryComplete(ar.result());
          } else if (ar.cause() instanceof ConnectException) {
            done.tryComplete(Exchange.failed(Exchange.Kind.REFUSED, 0, took));
          } else {
            done.tryComplete(Exchange.failed(Exchange.Kind.INVALID_RESPONSE, 0, took));
          }
        });
    return done.future();
  }

  private static JsonObject body(PingRequest request) {
    return new JsonObject()
        .put("CID", request.callerIdDigits11())
        .put("exposeCallerId", "yes")
        .put("zipcode", String.valueOf(request.fields().getOrDefault("zip", "")))
        .put("state", String.valueOf(request.fields().getOrDefault("state", "")));
  }
}
