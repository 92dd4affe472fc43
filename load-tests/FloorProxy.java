import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor of bench-ping.sh: the least a Vert.x gateway can do for a ping, and nothing else. It
 * reads the request body, POSTs a fixed bid request to the upstream, reads the answer and replies
 * with a fixed accepted-ping JSON: no parsing, templates, selection, metrics, breaker, deadline or
 * correlation. Same Vert.x, Netty and JVM options as CallBridge in the benchmark, one verticle (and
 * HTTP client) per event loop, like CallBridge's public port.
 *
 * <p>It shows what part of the gap to nginx belongs to the platform (JVM, Netty, Vert.x's HTTP
 * server and client) and what part to CallBridge's own work. Benchmark only; run from the repo
 * with CallBridge's jar as the class path (Java's single-file launcher):
 *
 * <pre>java -cp target/callbridge.jar load-tests/FloorProxy.java PORT UPSTREAM_PORT LOOPS</pre>
 */
public final class FloorProxy {
  private static final Buffer BID_REQUEST =
      Buffer.buffer("{\"CID\":\"15557779999\",\"exposeCallerId\":\"yes\",\"zip\":\"90210\",\"state\":\"CA\"}");
  private static final Buffer ANSWER = Buffer.buffer("{\"accepted\":true,\"cached\":false,"
      + "\"phone_number\":\"+17733408913\",\"bid_amount\":4.2,\"duration\":60,\"expires_in\":60,"
      + "\"expires_at\":\"2100-01-01T00:00:00Z\",\"bid_id\":\"RTBe983e428edc946a3863bcc912b828927\","
      + "\"target\":\"buyer\",\"attributes\":{}}");

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    int loops = Integer.parseInt(args[2]);
    // The same socket transport as CallBridge in the run (bench-ping.sh --transport), so the ratio is CallBridge's own work.
    String t = args.length > 3 ? args[3] : "nio";
    boolean uring = t.equals("io_uring") || t.equals("auto") && io.vertx.core.transport.Transport.IO_URING.available();
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops))
        .withTransport(uring ? io.vertx.core.transport.Transport.IO_URING : io.vertx.core.transport.Transport.NIO).build();
    vertx.deployVerticle(() -> new Proxy(port, upstreamPort), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("floor proxy on 127.0.0.1:" + port + " → 127.0.0.1:" + upstreamPort))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  private static final class Proxy extends VerticleBase {
    private final int port;
    private final RequestOptions bidRequest;

    Proxy(int port, int upstreamPort) {
      this.port = port;
      this.bidRequest = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(upstreamPort)
          .setURI("/v1/production/bench.json").putHeader("Content-Type", "application/json");
    }

    @Override
    public Future<?> start() {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAliveTimeout(60),
          new PoolOptions().setHttp1MaxSize(256));
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
          .requestHandler(req -> req.body()
              .compose(body -> client.request(bidRequest))
              .compose(out -> out.send(BID_REQUEST).compose(HttpClientResponse::body))
              .onComplete(ar -> {
                if (ar.succeeded()) {
                  req.response().putHeader("Content-Type", "application/json").end(ANSWER);
                } else {
                  req.response().setStatusCode(502).end();
                }
              }))
          .listen();
    }
  }
}
