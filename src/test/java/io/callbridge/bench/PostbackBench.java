package io.callbridge.bench;

import io.callbridge.Flows;
import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Durable postback ingest on this machine, side by side with pgbench doing single-row inserts of
 * the same row shape at the same concurrency (synchronous_commit on), then accept-to-delivery
 * with a healthy destination. Run with {@code bin/bench-postbacks}; prints a Markdown report and
 * writes it to {@code target/bench-postbacks.md}.
 */
public final class PostbackBench {
  static final String YAML = """
      server: { accessLog: false, bodyLimit: 16KiB, instances: %d }
      postgres: { poolSize: %d }
      destinations:
        td: { baseUrl: "http://127.0.0.1:%d", allowPrivate: true, requestTimeout: 5s, poolSize: 64 }
      routes:
        - name: ringba-payout
          kind: postback
          auth: { token: bench }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          targets: [ { destination: td, template: trackdrive-update-call } ]
      """;

  record Result(String what, int concurrency, long count, double seconds, long[] latenciesMicros, long errors) {
    double rate() {
      return count / seconds;
    }

    double pct(double p) {
      if (latenciesMicros.length == 0) {
        return Double.NaN;
      }
      long[] s = latenciesMicros.clone();
      Arrays.sort(s);
      return s[(int) Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] / 1000.0;
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
    int warmup = Integer.parseInt(System.getProperty("bench.warmup", "4"));
    int pool = Integer.parseInt(System.getProperty("bench.pool", "8"));
    int instances = Integer.parseInt(System.getProperty("bench.instances",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    List<Integer> levels = Stream.of(System.getProperty("bench.concurrency", "16,64").split(","))
        .map(String::trim).map(Integer::parseInt).toList();

    StringBuilder report = new StringBuilder();
    report.append("# Postback ingest benchmark\n\n");
    report.append(String.format("- when: %s, host: %d CPUs, load average before: %s%n", Instant.now(),
        Runtime.getRuntime().availableProcessors(), loadAverage()));
    PostgresConfig db = TestDb.freshSchema(PostbackBench.class);
    report.append("- PostgreSQL: synchronous_commit=" + psql(db, "SHOW synchronous_commit") + ", fsync="
        + psql(db, "SHOW fsync") + "; gateway: " + instances + " event-loop instances, pool " + pool
        + ", group commit (multi-row INSERT … ON CONFLICT DO NOTHING RETURNING)\n");
    report.append("- each run: " + warmup + " s warm-up, then " + seconds + " s measured; closed loop, one request "
        + "in flight per client\n\n");

    Vertx vertx = Vertx.vertx();
    AtomicLong delivered = new AtomicLong();
    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    HttpServer dest = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String uri = req.uri();
      arrivals.put(uri.substring(uri.lastIndexOf('/') + 1), System.nanoTime());
      delivered.incrementAndGet();
      req.response().end("{\"status\":\"ok\"}");
    }));
    dest.listen(0, "127.0.0.1").await();
    String yaml = YAML.formatted(instances, pool, dest.actualPort());

    List<Result> ingest = new ArrayList<>();
    List<Result> pg = new ArrayList<>();
    // 1. Durable ingest alone (no delivery running), against pgbench at the same concurrency.
    CallBridgeConfig config = TestConfigs.forTest(yaml, db);
    config = config.withOutbox(config.outbox().withDelivery(false));
    Gateway gateway = Gateway.start(config, Clock.systemUTC(), Flows::postback).await();
    String url = "http://127.0.0.1:" + gateway.publicPort() + "/v1/postbacks/ringba-payout";
    Path script = pgbenchScript();
    for (int c : levels) {
      load(vertx, url, c, warmup, null);
      Result r = load(vertx, url, c, seconds, null);
      ingest.add(r);
      System.out.printf("callbridge c=%d: %.0f/s p99 %.1f ms (%d errors)%n", c, r.rate(), r.pct(0.99), r.errors());
      Result p = pgbench(db, script, c, seconds);
      pg.add(p);
      System.out.printf("pgbench    c=%d: %.0f/s p99 %.1f ms%n", c, p.rate(), p.pct(0.99));
    }
    gateway.stop().await();

    // 2. Accept to delivery, delivery running, a healthy destination.
    // A fresh schema: the ingest runs above left thousands of rows nobody delivered.
    PostgresConfig db2 = TestDb.freshSchema(PostbackBench.class);
    Gateway live = Gateway.start(TestConfigs.forTest(yaml, db2), Clock.systemUTC(), Flows::postback).await();
    String liveUrl = "http://127.0.0.1:" + live.publicPort() + "/v1/postbacks/ringba-payout";
    Map<String, Long> accepted = new ConcurrentHashMap<>();
    int deliveryConcurrency = Integer.parseInt(System.getProperty("bench.delivery.concurrency", "4"));
    load(vertx, liveUrl, deliveryConcurrency, warmup, null);
    arrivals.clear();
    Result withDelivery = load(vertx, liveUrl, deliveryConcurrency, seconds, accepted);
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end && !arrivals.keySet().containsAll(accepted.keySet())) {
      Thread.sleep(50);
    }
    long[] delays = accepted.entrySet().stream().filter(e -> arrivals.containsKey(e.getKey()))
        .mapToLong(e -> Math.max(0, arrivals.get(e.getKey()) - e.getValue()) / 1000).toArray();
    long notDelivered = accepted.keySet().stream().filter(k -> !arrivals.containsKey(k)).count();
    Result delivery = new Result("accept→delivery", deliveryConcurrency, delays.length, 1, delays, notDelivered);
    live.stop().await();

    // 3. A slow, healthy destination: every answer after 1.5-4 s, inside its 5 s requestTimeout. Only its
    //    concurrency (its pool) bounds delivery; nothing ends dead, nothing waits for our own connections.
    int slowRows = Integer.parseInt(System.getProperty("bench.slow.rows", "600"));
    Map<String, Long> slowArrivals = new ConcurrentHashMap<>();
    java.util.Random jitter = new java.util.Random(7);
    HttpServer slow = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String uri = req.uri();
      long wait = 1500 + jitter.nextInt(2501);
      vertx.setTimer(wait, t -> {
        slowArrivals.put(uri.substring(uri.lastIndexOf('/') + 1), System.nanoTime());
        req.response().end("{\"status\":\"ok\"}");
      });
    }));
    slow.listen(0, "127.0.0.1").await();
    PostgresConfig db3 = TestDb.freshSchema(PostbackBench.class);
    Gateway slowGateway = Gateway.start(TestConfigs.forTest(YAML.formatted(instances, pool, slow.actualPort()), db3),
        Clock.systemUTC(), Flows::postback).await();
    String slowUrl = "http://127.0.0.1:" + slowGateway.publicPort() + "/v1/postbacks/ringba-payout";
    Map<String, Long> slowAccepted = new ConcurrentHashMap<>();
    long slowStart = System.nanoTime();
    loadCount(vertx, slowUrl, 16, slowRows, slowAccepted);
    long slowEnd = System.nanoTime() + 240_000_000_000L;
    while (System.nanoTime() < slowEnd && !slowArrivals.keySet().containsAll(slowAccepted.keySet())) {
      Thread.sleep(100);
    }
    double slowSeconds = (System.nanoTime() - slowStart) / 1e9;
    String slowAdmin = "http://127.0.0.1:" + slowGateway.adminPort() + "/metrics";
    String slowMetrics = io.callbridge.testing.Http.get(slowAdmin, Map.of()).body();
    long slowDead = TestDb.count(db3, "SELECT count(*) FROM outbox WHERE status = 'dead'");
    long slowPending = TestDb.count(db3, "SELECT count(*) FROM outbox WHERE status = 'pending'");
    long slowAttemptRows = TestDb.count(db3, "SELECT count(*) FROM outbox_attempt");
    slowGateway.stop().await();
    int share = Math.max(1, (64 + instances - 1) / instances);
    report.append(String.format(Locale.ROOT, "%n## A slow, healthy destination (answers after 1.5-4 s, requestTimeout 5 s)%n%n"
            + "- %d postbacks accepted; delivered %d in %.1f s (%.1f/s; the destination's concurrency from one worker is "
            + "its pool share, %d connections, so about %d / 2.75 s = %.1f/s is the bound)%n"
            + "- dead %d, still pending %d, attempt rows %d (one per delivery: no deferral is an attempt), "
            + "`no_connection` outcomes: %s%n%n",
        slowAccepted.size(), slowArrivals.size(), slowSeconds, slowArrivals.size() / slowSeconds, share, share,
        share / 2.75, slowDead, slowPending, slowAttemptRows, noConnections(slowMetrics)));

    report.append("## Durable ingest (202 after commit) vs pgbench single-row INSERT, same row shape\n\n");
    report.append("| concurrency | CallBridge accepted/s | CallBridge p50 / p99 of the 202 | pgbench inserts/s | "
        + "pgbench p50 / p99 | ratio | goal (≥ 0.5×, p99 ≤ 25 ms) |\n|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < levels.size(); i++) {
      Result r = ingest.get(i);
      Result p = pg.get(i);
      double ratio = r.rate() / p.rate();
      report.append(String.format(Locale.ROOT, "| %d | %.0f | %.1f / %.1f ms | %.0f | %.1f / %.1f ms | %.2f× | %s |%n",
          r.concurrency(), r.rate(), r.pct(0.5), r.pct(0.99), p.rate(), p.pct(0.5), p.pct(0.99), ratio,
          ratio >= 0.5 && r.pct(0.99) <= 25 ? "met" : "NOT met"));
      if (r.errors() > 0) {
        report.append("|  | ").append(r.errors()).append(" non-202 answers | | | | | |\n");
      }
    }
    report.append(String.format(Locale.ROOT, "%n## Accept to delivery (healthy destination, delivery running)%n%n"
            + "- ingest meanwhile: %.0f accepted/s at concurrency %d (p99 of the 202: %.1f ms)%n"
            + "- from the client receiving the 202 to the destination receiving the request (0 when the delivery "
            + "arrived first): p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d postbacks; not delivered within 30 s: %d%n",
        withDelivery.rate(), deliveryConcurrency, withDelivery.pct(0.99), delivery.pct(0.5), delivery.pct(0.99),
        delivery.pct(1.0), delays.length, notDelivered));
    report.append("\n- load average after: " + loadAverage() + "\n");
    System.out.println();
    System.out.println(report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/bench-postbacks.md"), report.toString());
    vertx.close().await();
    if (!Boolean.getBoolean("bench.keep")) {
      TestDb.drop(db);
      TestDb.drop(db2);
      TestDb.drop(db3);
    }
    System.exit(0);
  }

  /** A closed loop of {@code concurrency} clients for {@code seconds}; each keeps one request in flight. */
  static Result load(Vertx vertx, String url, int concurrency, int seconds, Map<String, Long> accepted)
      throws Exception {
    java.net.URI u = java.net.URI.create(url);
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(u.getHost())
        .setDefaultPort(u.getPort()).setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(concurrency));
    long stopAt = System.nanoTime() + seconds * 1_000_000_000L;
    List<long[]> lat = new ArrayList<>();
    AtomicLong count = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Promise<Void>> done = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      long[] mine = new long[4_000_000 / concurrency];
      lat.add(mine);
      Promise<Void> p = Promise.promise();
      done.add(p);
      int[] n = {0};
      vertx.runOnContext(v -> next(client, u.getPath(), stopAt, mine, n, count, errors, accepted, p));
    }
    for (Promise<Void> p : done) {
      p.future().await();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    client.close().await();
    long[] all = lat.stream().flatMapToLong(a -> Arrays.stream(a).filter(x -> x > 0)).toArray();
    return new Result("callbridge", concurrency, count.get(), elapsed, all, errors.get());
  }

  private static void next(HttpClientAgent client, String path, long stopAt, long[] lat, int[] n, AtomicLong count,
      AtomicLong errors, Map<String, Long> accepted, Promise<Void> done) {
    if (System.nanoTime() >= stopAt) {
      done.tryComplete();
      return;
    }
    String uuid = UUID.randomUUID().toString();
    Buffer body = Buffer.buffer("{\"trackdrive_call_uuid\":\"" + uuid + "\",\"trackdrive_subdomain\":\"acme\","
        + "\"payout\":\"10.00\",\"revenue\":\"12.50\",\"buyer_converted\":\"true\",\"inboundCallId\":\"RGB" + uuid + "\"}");
    long start = System.nanoTime();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("Content-Type", "application/json").putHeader("X-CallBridge-Token", "bench"))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          long now = System.nanoTime();
          if (ar.succeeded() && ar.result() == 202) {
            if (n[0] < lat.length) {
              lat[n[0]++] = (now - start) / 1000;
            }
            count.incrementAndGet();
            if (accepted != null) {
              accepted.put(uuid, now);
            }
          } else {
            errors.incrementAndGet();
          }
          next(client, path, stopAt, lat, n, count, errors, accepted, done);
        });
  }

  /** One INSERT of a row shaped like a postback's (same columns, similar sizes), a fresh key each time. */
  static Path pgbenchScript() throws IOException {
    Path f = Files.createTempFile("bench-postbacks", ".sql");
    Files.writeString(f, """
        INSERT INTO outbox (flow, route, idem_key, once_key, call_id, event_kind, status, fingerprint, destination, method, uri, headers, body, raw_method, raw_query, raw_body, fields, request_id, schedule_ms, jitter, next_attempt_at, created_at, updated_at) VALUES ('postback', 'ringba-payout', 'payout|' || gen_random_uuid(), NULL, gen_random_uuid()::text, 'payout', 'pending', md5(random()::text), 'td', 'POST', '/api/v1/calls/update_call/9b2f6a34-63c2-4b0e-8a7e-0f1f0a5f1e11', '{"Accept": "application/json", "Content-Type": "application/json"}'::jsonb, convert_to('{"revenue":10.00,"buyer_converted":"true","offer_converted":"true"}', 'UTF8'), 'POST', '', convert_to('{"trackdrive_call_uuid":"9b2f6a34-63c2-4b0e-8a7e-0f1f0a5f1e11","trackdrive_subdomain":"acme","payout":"10.00","revenue":"12.50","buyer_converted":"true","inboundCallId":"RGB9b2f6a34-63c2-4b0e-8a7e-0f1f0a5f1e11"}', 'UTF8'), '{"trackdrive_call_uuid":"9b2f6a34-63c2-4b0e-8a7e-0f1f0a5f1e11","trackdrive_subdomain":"acme","payout":"10.00","revenue":"12.50","buyer_converted":"true","inboundCallId":"RGB9b2f6a34-63c2-4b0e-8a7e-0f1f0a5f1e11"}'::jsonb, gen_random_uuid()::text, '{0,5000,300000,1800000,7200000,18000000,36000000,36000000}', 0.2, now(), now(), now()) ON CONFLICT DO NOTHING RETURNING id;
        """);
    return f;
  }

  static Result pgbench(PostgresConfig db, Path script, int clients, int seconds) throws Exception {
    Path logDir = Files.createTempDirectory("pgbench-log");
    List<String> cmd = List.of("/usr/lib/postgresql/15/bin/pgbench", "-n", "-M", "prepared", "-c", String.valueOf(clients),
        "-j", String.valueOf(Math.min(clients, Runtime.getRuntime().availableProcessors())), "-T",
        String.valueOf(seconds), "-f", script.toString(), "-l", "--log-prefix=" + logDir.resolve("pgbench"),
        "-h", db.host(), "-p", String.valueOf(db.port()), "-U", db.user(), db.database());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", db.password().value());
    pb.environment().put("PGOPTIONS", "-c search_path=" + db.schema());
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      r.lines().forEach(l -> out.append(l).append('\n'));
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("pgbench failed:\n" + out);
    }
    double tps = Double.NaN;
    for (String line : out.toString().split("\n")) {
      if (line.startsWith("tps = ")) {
        tps = Double.parseDouble(line.substring(6).split(" ")[0]);
      }
    }
    List<Long> lat = new ArrayList<>();
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          String[] cols = line.split(" ");
          if (cols.length > 2) {
            lat.add(Long.parseLong(cols[2]));
          }
        }
      }
    }
    long[] l = lat.stream().mapToLong(Long::longValue).toArray();
    return new Result("pgbench", clients, Math.round(tps * seconds), seconds, l, 0);
  }

  static String psql(PostgresConfig db, String sql) {
    try (var c = TestDb.connect(db); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (Exception e) {
      return "?";
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** The count of {@code no_connection} outcomes in a scrape (0 when none). */
  static String noConnections(String scrape) {
    return scrape.lines().filter(l -> l.startsWith("callbridge_upstream_requests_total") && l.contains("no_connection"))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("0");
  }

  /** Sends {@code total} postbacks with {@code concurrency} in flight; records each accepted call id's 202 time. */
  static void loadCount(Vertx vertx, String url, int concurrency, int total, Map<String, Long> accepted)
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(concurrency);
    for (int c = 0; c < concurrency; c++) {
      pool.submit(() -> {
        int n;
        while ((n = next.getAndIncrement()) < total) {
          String call = "slow-" + n + "-" + java.util.UUID.randomUUID();
          io.callbridge.testing.Http.Response r = io.callbridge.testing.Http.post(url, "application/json",
              "{\"trackdrive_call_uuid\":\"" + call + "\",\"payout\":2}", Map.of("X-CallBridge-Token", "bench"));
          if (r.status() == 202) {
            accepted.put(call, System.nanoTime());
          }
        }
        return null;
      });
    }
    pool.shutdown();
    pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
  }
}
