package io.callbridge.flow.postback;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Flows;
import io.callbridge.Gateway;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.FakeDestination;
import io.callbridge.testing.Http;
import io.callbridge.testing.TcpProxy;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgreSQL goes away during ingest: callers hear 503, never a false 2xx, and it recovers by itself. */
class PostbackOutageTest {
  static final String YAML = """
      server: { accessLog: false, adminToken: admin-secret }
      destinations:
        td: { baseUrl: "http://127.0.0.1:%d", allowPrivate: true, requestTimeout: 1s }
      routes:
        - name: ringba-payout
          kind: postback
          auth: { token: ringba-secret }
          deadline: 3s
          callIdField: trackdrive_call_uuid
          eventKind: payout
          retrySchedule: [0s, 200ms, 500ms, 1s, 2s]
          targets: [ { destination: td, template: trackdrive-update-call } ]
      """;
  static PostgresConfig db;
  static TcpProxy proxy;
  static Gateway gateway;
  static FakeDestination dest;

  @BeforeAll
  static void start() {
    dest = FakeDestination.start();
    db = TestDb.freshSchema(PostbackOutageTest.class);
    proxy = TcpProxy.start(db.host(), db.port());
    PostgresConfig viaProxy = db.withEndpoint("127.0.0.1", proxy.port());
    gateway = Gateway.start(TestConfigs.forTest(YAML.formatted(dest.port()), viaProxy),
        Clock.systemUTC(), Flows::postback).await();
  }

  @AfterAll
  static void stop() {
    gateway.stop().await();
    proxy.close();
    dest.close();
    TestDb.drop(db);
  }

  static Http.Response post(String uuid) {
    return Http.post("http://127.0.0.1:" + gateway.publicPort() + "/v1/postbacks/ringba-payout", "application/json",
        new JsonObject().put("trackdrive_call_uuid", uuid).put("payout", 5).encode(),
        Map.of("X-CallBridge-Token", "ringba-secret"));
  }

  @Test
  void cutDuringIngestAnswers503NeverAFalseAckAndRecovers() throws Exception {
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      pool.submit(() -> {
        while (running.get()) {
          String uuid = UUID.randomUUID().toString();
          answers.put(uuid, post(uuid).status());
          Thread.sleep(20); // pacing the senders, not waiting for anything
        }
        return null;
      });
    }
    Eventually.until("postbacks accepted before the cut", () -> count(answers, 202) >= 20);
    proxy.cut();
    Eventually.until("postbacks refused during the cut", () -> count(answers, 503) >= 10);
    long ackedBeforeRestore = count(answers, 202);
    proxy.restore();
    Eventually.until("postbacks accepted after the cut", () -> count(answers, 202) >= ackedBeforeRestore + 20);
    running.set(false);
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(answers.values()).as("only 202 or 503, never another 5xx").allMatch(s -> s == 202 || s == 503);
    assertThat(answers.values()).contains(503);
    List<String> acked = answers.entrySet().stream().filter(e -> e.getValue() == 202).map(Map.Entry::getKey).toList();
    List<String> refused = answers.entrySet().stream().filter(e -> e.getValue() == 503).map(Map.Entry::getKey).toList();
    assertThat(acked.size()).as("accepted before and after the cut").isGreaterThan(20);

    // Every acknowledged postback is stored (read directly, not through the proxy) and delivered.
    Map<String, String> stored = statuses();
    assertThat(stored.keySet()).containsAll(acked);
    // What was refused may be sent again: it is then accepted (or recognised, if its commit did land).
    for (String uuid : refused) {
      assertThat(post(uuid).status()).isIn(200, 202);
    }
    Set<String> all = new java.util.HashSet<>(acked);
    all.addAll(refused);
    Eventually.value("every postback delivered", java.time.Duration.ofSeconds(30),
        () -> allDelivered(all, statuses()) ? java.util.Optional.of(true) : java.util.Optional.empty());
    Map<String, String> finalStatuses = statuses();
    assertThat(all).allMatch(u -> "delivered".equals(finalStatuses.get(u)), "every postback delivered");
    for (String u : all) {
      assertThat(dest.forCall(u)).as("deliveries of " + u).hasSizeBetween(1, 2);
    }
    long twice = all.stream().filter(u -> dest.forCall(u).size() > 1).count();
    assertThat(twice).as("a second delivery only where an attempt's result was lost in the cut").isLessThan(10);
  }

  static long count(Map<String, Integer> answers, int status) {
    return answers.values().stream().filter(s -> s == status).count();
  }

  static boolean allDelivered(Set<String> ids, Map<String, String> statuses) {
    return ids.stream().allMatch(u -> "delivered".equals(statuses.get(u)));
  }

  static Map<String, String> statuses() {
    Map<String, String> out = new HashMap<>();
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT call_id, status FROM outbox")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
