package io.callbridge.flow.postback;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.FakeDestination;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/**
 * {@code kill -9} of a gateway process (a separate JVM) while postbacks are accepted and
 * delivered, then a restart: every acknowledged postback is delivered, none twice beyond the rows
 * whose attempt was in flight at the kill (the destination dedupes those).
 */
class PostbackCrashTest {
  static PostgresConfig db;
  static FakeDestination dest;
  static Path dir;
  static int port;
  static int adminPort;
  static Process process;

  @BeforeAll
  static void setUp() throws Exception {
    dest = FakeDestination.start();
    dest.fallback(id -> FakeDestination.Action.slow(15));
    db = TestDb.freshSchema(PostbackCrashTest.class);
    dir = Files.createTempDirectory("callbridge-crash");
    port = freePort();
    adminPort = freePort();
    Files.writeString(dir.resolve("callbridge.yaml"), """
        server: { host: 127.0.0.1, port: %d, adminPort: %d, instances: 2, accessLog: false, shutdownGrace: 1s }
        postgres: { host: "%s", port: %d, database: "%s", user: "%s", password: "%s", schema: "%s", poolSize: 8 }
        templates: "%s"
        destinations:
          td: { baseUrl: "http://127.0.0.1:%d", allowPrivate: true, requestTimeout: 4s }
        routes:
          - name: ringba-payout
            kind: postback
            auth: { token: ringba-secret }
            callIdField: trackdrive_call_uuid
            eventKind: payout
            retrySchedule: [0s, 200ms, 500ms, 1s, 2s, 5s]
            targets: [ { destination: td, template: trackdrive-update-call } ]
        """.formatted(port, adminPort, db.host(), db.port(), db.database(), db.user(), db.password().value(),
        db.schema(), TestConfigs.CONF_DIR.resolve("templates"), dest.port()));
  }

  @AfterAll
  static void tearDown() {
    if (process != null) {
      process.destroyForcibly();
    }
    dest.close();
    TestDb.drop(db);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts a gateway JVM; once more if a loaded machine made its start-up time out. */
  static Process launch(String name) throws Exception {
    try {
      return launchOnce(name);
    } catch (AssertionError e) {
      return launchOnce(name + "-again");
    }
  }

  static Process launchOnce(String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.callbridge.Main", "run", "--config", dir.resolve("callbridge.yaml").toString());
    // The child reads only what this test sets: a shell's CALLBRIDGE_PORT or CALLBRIDGE_OUTBOX_DELIVERY
    // would otherwise override the file above.
    pb.environment().keySet().removeIf(k -> k.startsWith("CALLBRIDGE_"));
    pb.environment().put("CALLBRIDGE_OUTBOX_LEASE_MARGIN_MS", "1000");
    pb.redirectErrorStream(true).redirectOutput(new File(dir.toFile(), name + ".log"));
    Process p = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // even if this JVM is stopped early
    Path log = dir.resolve(name + ".log");
    try {
      awaitReady(p, name, log);
    } catch (RuntimeException | AssertionError e) {
      p.destroyForcibly().waitFor(); // never leave a JVM behind
      throw e;
    }
    return p;
  }

  static void awaitReady(Process p, String name, Path log) {
    Eventually.value("gateway " + name + " ready (its log: " + log + ")", Duration.ofSeconds(60), () -> {
      if (!p.isAlive()) {
        throw new AssertionError("gateway exited: " + read(log));
      }
      try {
        return Http.get("http://127.0.0.1:" + adminPort + "/health/ready").status() == 200
            ? Optional.of(p) : Optional.empty();
      } catch (IllegalStateException notYet) {
        return Optional.empty(); // not listening yet
      }
    });
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  @Test
  void killNineWhileAcceptingAndDeliveringThenRestartLosesNothing() throws Exception {
    process = launch("first");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      clients.submit(() -> {
        while (running.get() && acked.size() < 200) { // enough to prove it, few enough to check quickly
          String uuid = UUID.randomUUID().toString();
          try {
            Http.Response r = Http.post("http://127.0.0.1:" + port + "/v1/postbacks/ringba-payout", "application/json",
                new JsonObject().put("trackdrive_call_uuid", uuid).put("payout", 3).encode(),
                Map.of("X-CallBridge-Token", "ringba-secret"));
            if (r.status() == 202) {
              acked.add(uuid);
            }
          } catch (IllegalStateException down) {
            Thread.sleep(50); // pacing a sender while the gateway is down, not waiting for anything
          }
        }
        return null;
      });
    }
    // Kill once a good number were acknowledged (a loaded machine gets there later, not with fewer).
    Eventually.value("50 postbacks acknowledged", Duration.ofSeconds(30),
        () -> acked.size() > 50 ? Optional.of(true) : Optional.empty());
    int beforeKill = acked.size();
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no drain
    process = launch("second");
    Eventually.until("postbacks acknowledged after the restart", () -> acked.size() > beforeKill + 20);
    running.set(false);
    clients.shutdown();
    assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(beforeKill).isGreaterThan(50);
    assertThat(acked.size()).as("accepted after the restart too").isGreaterThan(beforeKill);

    Map<String, String> statuses = new HashMap<>();
    try {
      Eventually.value("every acknowledged postback delivered", Duration.ofSeconds(30), () -> {
        statuses.putAll(statuses());
        return acked.stream().allMatch(u -> "delivered".equals(statuses.get(u))) ? Optional.of(true)
            : Optional.empty();
      });
    } catch (AssertionError late) {
      // reported below, naming the postbacks still missing
    }
    List<String> missing = acked.stream().filter(u -> !"delivered".equals(statuses.get(u))).toList();
    assertThat(missing).as("acknowledged but not delivered").isEmpty();
    assertThat(acked).allSatisfy(u -> assertThat(dest.forCall(u)).isNotEmpty());
    List<String> twice = acked.stream().filter(u -> dest.forCall(u).size() > 1).toList();
    // Only a row with an attempt whose result is unknown (in flight at the kill, or a timeout) may go twice.
    Set<String> ambiguous = ambiguous();
    assertThat(twice).as("sent twice without an ambiguous attempt").allMatch(ambiguous::contains);
    assertThat(acked).allSatisfy(u -> assertThat(dest.forCall(u).size()).isLessThanOrEqualTo(2));
    System.out.printf("kill -9: %d acknowledged (%d before the kill), all delivered, %d sent twice%n", acked.size(),
        beforeKill, twice.size());
  }

  static Set<String> ambiguous() {
    Set<String> out = new java.util.HashSet<>();
    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT call_id FROM outbox WHERE ambiguous")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
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
