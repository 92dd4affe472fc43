package io.callbridge.sim;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code callbridge sim [--port P] [--seed N] [--config FILE]}: the simulators in the foreground. */
public final class SimCommand {
  public static final int DEFAULT_PORT = 8090;

  private SimCommand() {}

  /** The port from {@code CALLBRIDGE_SIM_PORT}, else 8090. */
  public static int defaultPort(Map<String, String> env) {
    String v = env.get("CALLBRIDGE_SIM_PORT");
    if (v == null || v.isBlank()) {
      return DEFAULT_PORT;
    }
    return Integer.parseInt(v.trim());
  }

  /** Runs the simulators until the process is stopped; the command line was checked by the caller. */
  public static int run(Optional<Integer> portOption, Optional<Long> seed, Optional<Path> fileOption,
      Map<String, String> env) {
    int port;
    try {
      port = portOption.orElseGet(() -> defaultPort(env));
    } catch (NumberFormatException e) {
      System.err.println("sim: CALLBRIDGE_SIM_PORT must be a port number, got '" + env.get("CALLBRIDGE_SIM_PORT") + "'");
      return 2;
    }
    Path file = fileOption.orElse(Path.of("conf/sim.yaml"));
    SimConfig config;
    try {
      config = Files.exists(file) || fileOption.isPresent() ? SimConfig.load(file) : SimConfig.defaults();
    } catch (SimConfig.Invalid e) {
      System.err.println(e.getMessage());
      return 1;
    }
    long s = seed.orElse(config.seed());
    Vertx vertx = Vertx.vertx();
    Simulator sim;
    try {
      sim = Simulator.start(vertx, config, s, port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("sim: cannot listen on port " + port + ": " + cause.getMessage()
          + " (another process may hold it: pick one with --port or CALLBRIDGE_SIM_PORT)");
      vertx.close();
      return 1;
    }
    System.out.println(describe(sim, config, s, file));
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      done.countDown();
    }));
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static String describe(Simulator sim, SimConfig config, long seed, Path file) {
    String b = sim.baseUrl();
    return String.join("\n",
        "simulators of Ringba and TrackDrive on " + b + " (seed " + seed + ", " + file + ")",
        "  Ringba IDE       GET|POST " + b + "/enrich/{publisherNumberId}?callerid=...   ids: " + config.enrich().keySet(),
        "  Ringba RTB       POST|GET " + b + "/v1/production/{rtbId}.json               ids: " + config.rtb().keySet(),
        "  Ringba webhook   GET|POST " + b + "/hook/{webhookId}?call_id=...            ids: " + config.webhooks().keySet(),
        "  TrackDrive       POST " + b + "/api/v1/leads · /api/v1/calls/update_call/{uuid} · "
            + "/api/v1/inbound_webhooks/ping/{vanity}   companies: " + config.companies().keySet()
            + " (default " + config.defaultSubdomain() + ")",
        "  Ringba ring tree POST " + b + "/_sim/ring-tree/{id} {\"call\":{\"CID\":...,\"inboundCallId\":...}}   ids: "
            + config.ringTrees().keySet(),
        "  recorder         GET " + b + "/_sim/requests?path=...&since=...  ·  DELETE " + b + "/_sim/requests"
            + "  ·  GET " + b + "/_sim/state",
        "Ctrl-C stops.");
  }
}
