package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.ConfigException;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** server.transport: auto (io_uring where the kernel allows it, else NIO); io_uring serves what NIO does. */
class TransportTest {
  @Test
  void anUnknownTransportNamesTheKey() throws ConfigException {
    assertThatThrownBy(() -> TestConfigs.parse(TestConfigs.ONE_ROUTE.replace("accessLog: false",
        "accessLog: false, transport: epoll")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors())
            .anySatisfy(err -> assertThat(err).startsWith("server.transport: must be one of [auto, io_uring, nio]")));
    assertThat(TestConfigs.parse(TestConfigs.ONE_ROUTE).server().transport()).isEqualTo("auto");
    assertThat(Gateway.transport("nio")).isEqualTo(io.vertx.core.transport.Transport.NIO);
    assertThat(Gateway.transport("auto")).isEqualTo(io.vertx.core.transport.Transport.IO_URING.available()
        ? io.vertx.core.transport.Transport.IO_URING : io.vertx.core.transport.Transport.NIO);
  }

  @Test
  void aGatewayOnIoUringAnswersAsOnNio() {
    Assumptions.assumeTrue(io.vertx.core.transport.Transport.IO_URING.available(),
        "io_uring is not available on this machine");
    PostgresConfig db = TestDb.freshSchema(TransportTest.class);
    Gateway gateway = Gateway.start(TestConfigs.forTest(TestConfigs.ONE_ROUTE.replace("accessLog: false",
        "accessLog: false, transport: io_uring"), db), Clock.systemUTC(), Flows::create).await();
    try {
      Http.Response ready = Http.get("http://127.0.0.1:" + gateway.adminPort() + "/health/ready");
      assertThat(ready.status()).as(ready.body()).isEqualTo(200);
      // The destination refuses connections (port 9): a ping still gets its clear no-bid, over io_uring.
      Http.Response ping = Http.post("http://127.0.0.1:" + gateway.publicPort() + "/v1/ping/echo", "application/json",
          new JsonObject().put("caller_id", "+15557779999").put("call_uuid", "TD-URING-1").encode(),
          Map.of("X-CallBridge-Token", "route-secret"));
      assertThat(ping.status()).as(ping.body()).isEqualTo(200);
      assertThat(ping.json().getBoolean("accepted")).isFalse();
      assertThat(ping.json().getString("reason")).isNotBlank();
    } finally {
      gateway.stop().await();
      TestDb.drop(db);
    }
  }
}
