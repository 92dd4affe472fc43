package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Http;
import io.callbridge.testing.TcpProxy;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway reaches PostgreSQL through a proxy the test cuts and restores. */
class ReadinessTest {
  static PostgresConfig db;
  static TcpProxy proxy;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    db = TestDb.freshSchema(ReadinessTest.class);
    proxy = TcpProxy.start(db.host(), db.port());
    PostgresConfig viaProxy = db.withEndpoint("127.0.0.1", proxy.port());
    gateway = Gateway.start(TestConfigs.forTest(TestConfigs.ONE_ROUTE, viaProxy), Clock.systemUTC(),
        (route, services) -> null).await();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    proxy.close();
    TestDb.drop(db);
  }

  @Test
  void readyFollowsPostgresAndLiveStaysUp() {
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    Http.Response up = Http.get(admin + "/health/ready");
    assertThat(up.status()).isEqualTo(200);
    assertThat(up.json().getString("postgres")).isEqualTo("up");
    assertThat(up.json().getString("migration")).matches("[0-9]+");

    proxy.cut();
    Http.Response down = Http.get(admin + "/health/ready");
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.json().getString("postgres")).isEqualTo("down");
    assertThat(Http.get(admin + "/health/live").status()).isEqualTo(200);

    proxy.restore();
    Http.Response back = Http.get(admin + "/health/ready");
    assertThat(back.status()).isEqualTo(200);
  }

  @Test
  void aRouteWithoutAFlowAnswers501Json() {
    Http.Response r = Http.get("http://127.0.0.1:" + gateway.publicPort() + "/v1/ping/echo?token=route-secret");
    assertThat(r.status()).isEqualTo(501);
    assertThat(r.json().getString("error")).contains("ping flow is not available");
  }
}
