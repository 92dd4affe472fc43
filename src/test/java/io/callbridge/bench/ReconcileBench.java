package io.callbridge.bench;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.reconcile.Reconciler;
import io.callbridge.reconcile.Report;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.store.Database;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * {@code bin/bench-reconcile}: seeds both simulators with {@code bench.calls} calls (default 100,000)
 * in one day, 1 % of them with Ringba's payout differing from TrackDrive's revenue, then reconciles the
 * day with the default page sizes (TrackDrive 100 a page, Ringba 1000), and reports calls reconciled per
 * second and the heap the run added to the seeded simulators'. Paced at 100 requests a second per
 * platform (the reconciler's own capacity; the default pace of 5 a second makes reading 100,000 calls
 * take at least 60 s). A report, not a test.
 */
public final class ReconcileBench {
  private ReconcileBench() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.getInteger("bench.calls", 100_000);
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    Instant day = Instant.parse("2026-12-01T00:00:00Z");
    int differ = 0;
    for (int start = 0; start < calls; start += 2_000) { // the simulator takes bodies up to 1 MiB
      JsonArray td = new JsonArray();
      JsonArray rb = new JsonArray();
      for (int i = start; i < Math.min(calls, start + 2_000); i++) {
        Instant at = day.plusMillis(i * (86_400_000L / calls));
        double revenue = 5 + i % 40;
        boolean off = i % 100 == 7;
        differ += off ? 1 : 0;
        td.add(new JsonObject().put("subdomain", "demo").put("uuid", "TD-B-" + i).put("created_at", at.toString())
            .put("revenue", revenue).put("payout", 0).put("buyer_converted", true).put("ringba_call_uuid", "RGBB" + i));
        rb.add(new JsonObject().put("inboundCallId", "RGBB" + i).put("callDt", at.toEpochMilli())
            .put("payoutAmount", off ? revenue + 1.25 : revenue).put("conversionAmount", 0).put("hasConverted", false)
            .put("trackdrive_call_uuid", "TD-B-" + i));
      }
      Http.Response seeded = Http.post(sim.baseUrl() + "/_sim/reporting", "application/json",
          new JsonObject().put("trackdrive", td).put("ringba", rb).encode(), Map.of());
      if (seeded.status() != 200) {
        throw new IllegalStateException("seeding refused: " + seeded.status() + " " + seeded.body());
      }
    }
    var db = TestDb.freshSchema(ReconcileBench.class);
    CallBridgeConfig config = TestConfigs.forTest("""
        destinations:
          trackdrive:
            baseUrl: "http://127.0.0.1:%1$d"
            simulator: true
            callHost: "{subdomain}.trackdrive.com"
            subdomains: [demo]
            headers: { Authorization: "Basic ZGVtby1wdWJsaWM6ZGVtby1wcml2YXRl" }
        routes: []
        reconcile:
          trackdrive: { destination: trackdrive, perPage: 500, requestsPerSecond: 100 }
          ringba: { baseUrl: "http://127.0.0.1:%1$d", accountId: demo-account, apiToken: demo-api-token,
                    requestsPerSecond: 100 }
        """.formatted(sim.port()), db);
    Database.migrate(config.postgres());
    Database database = Database.open(vertx, config.postgres());
    Reconciler reconciler = new Reconciler(vertx, database.pool(), config.reconcile(),
        config.destinations().get("trackdrive"));
    System.gc();
    long baseline = heapUsed();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    Report report = reconciler.run(day, day.plusSeconds(86_400)).await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    String text = String.format("""
        # Reconciliation benchmark (%s)

        %,d calls on each platform in one day, %,d with Ringba's payout differing; TrackDrive 500 calls a page,
        Ringba 1,000 records a page; simulators, PostgreSQL and the reconciler on this machine (%d CPUs).

        | figure | value |
        |---|---:|
        | calls read (TrackDrive + Ringba) | %,d + %,d |
        | mismatches found | %,d (expected %,d) |
        | time | %.1f s |
        | calls reconciled per second (pairs) | %,.0f |
        | heap before the run (the seeded simulators) | %,d MB |
        | peak heap during the run (sum of pools' peaks, an upper bound) | %,d MB |
        """, Instant.now(), calls, differ, Runtime.getRuntime().availableProcessors(), report.trackDriveCalls(),
        report.ringbaCalls(), report.mismatches().size(), differ, seconds, calls / seconds, baseline >> 20, peak >> 20);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/bench-reconcile.md"), text);
    System.out.println(text);
    reconciler.close().await();
    database.close().await();
    sim.close().await();
    vertx.close().await();
    TestDb.drop(db);
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
