package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.PostgresConfig;
import io.callbridge.ingress.Reply;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A graceful stop (what SIGTERM triggers) lets an in-flight request finish, then refuses new ones. */
class ShutdownTest {
  static PostgresConfig db;

  @BeforeAll
  static void schema() {
    db = TestDb.freshSchema(ShutdownTest.class);
  }

  @AfterAll
  static void drop() {
    TestDb.drop(db);
  }

  @Test
  void inFlightRequestFinishesDuringStop() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    Gateway gateway = Gateway.start(TestConfigs.forTest(TestConfigs.ONE_ROUTE, db), Clock.systemUTC(),
        (route, services) -> inbound -> {
          Promise<Reply> slow = Promise.promise();
          arrived.countDown();
          services.vertx().setTimer(700, t -> slow.complete(Reply.json(200, new JsonObject().put("done", true))));
          return slow.future();
        }).await();
    String url = "http://127.0.0.1:" + gateway.publicPort() + "/v1/ping/echo";
    CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(
        () -> Http.get(url, Map.of("X-CallBridge-Token", "route-secret")));
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    gateway.stop().await();
    long stopMs = (System.nanoTime() - t0) / 1_000_000;

    Http.Response r = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getBoolean("done")).isTrue();
    assertThat(stopMs).as("stop waited for the request").isGreaterThanOrEqualTo(300);
    assertThatThrownBy(() -> Http.get(url)).hasMessageContaining("ConnectException");
  }
}
