package io.callbridge.demo;

import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.ConfigLoader;
import io.callbridge.config.ServerConfig;
import io.callbridge.sim.SimCommand;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code callbridge demo [--keep-running]}: starts the simulators (conf/sim.yaml) and the gateway
 * (conf/demo.yaml) in this process, runs every flow's script ({@link #scripts}), prints each call's
 * timeline, and exits 0 only when every step behaved as expected. A flow not in this build yet
 * (its route answers 501) is reported as "not there yet" and does not fail the demo.
 */
public final class Demo {
  /**
   * What to run with. {@code simPort} 0 picks an ephemeral port (the gateway's destinations follow
   * it through {@code CALLBRIDGE_SIM_PORT}); {@code adjust} changes the loaded gateway configuration
   * (tests: ephemeral ports, their own database schema); {@code flows}, when present, replaces the
   * build's flows (tests: stand-ins that show the scripts pass and fail as they should).
   */
  public record Options(Path config, Path simConfig, Map<String, String> env, int simPort,
      UnaryOperator<CallBridgeConfig> adjust, Optional<Gateway.FlowFactory> flows, boolean keepRunning,
      CountDownLatch stop, PrintStream out) {

    /** Without --keep-running. */
    public Options(Path config, Path simConfig, Map<String, String> env, int simPort,
        UnaryOperator<CallBridgeConfig> adjust, Optional<Gateway.FlowFactory> flows, PrintStream out) {
      this(config, simConfig, env, simPort, adjust, flows, false, new CountDownLatch(0), out);
    }


    public static Options fromCommandLine(boolean keep, Map<String, String> env) {
      return new Options(Path.of("conf/demo.yaml"), Path.of("conf/sim.yaml"), env, SimCommand.defaultPort(env),
          UnaryOperator.identity(), Optional.empty(), keep, new CountDownLatch(1), System.out); // Ctrl-C stops
    }
  }

  private record Result(FlowDemo script, DemoCall.Outcome outcome, String detail) {}

  /** The gateway's access log: quiet while the scripts run, on for one's own requests afterwards. */
  private static final Logger ACCESS = Logger.getLogger("callbridge.access");

  private Demo() {}

  /** The scripts, in the order a call's life goes. A new flow's script goes here. */
  static List<FlowDemo> scripts(Money money) {
    DemoIds ids = new DemoIds();
    return List.of(new EnrichDemo(ids), new PingDemo(ids), new RingTreeDemo(ids), new LeadDemo(ids), new PayoutDemo(ids, money),
        new ConversionDemo(ids, money));
  }

  /** The command line: quiets the INFO log so the timeline reads well. */
  public static int run(boolean keepRunning, Map<String, String> env) {
    Logger.getLogger("").setLevel(Level.WARNING);
    return run(Options.fromCommandLine(keepRunning, env));
  }

  public static int run(Options o) {
    PrintStream out = o.out();
    SimConfig simConfig;
    try {
      simConfig = SimConfig.load(o.simConfig());
    } catch (SimConfig.Invalid e) {
      out.println("demo: " + e.getMessage());
      return 1;
    }
    Vertx simVertx = Vertx.vertx();
    Simulator sim;
    try {
      sim = await(Simulator.start(simVertx, simConfig, simConfig.seed(), o.simPort()));
    } catch (Exception e) {
      out.println("demo: the simulator cannot listen on port " + o.simPort() + ": " + message(e)
          + " (is a 'callbridge sim' already running? stop it, or set CALLBRIDGE_SIM_PORT)");
      simVertx.close();
      return 1;
    }
    Map<String, String> env = new HashMap<>(o.env());
    env.put("CALLBRIDGE_SIM_PORT", String.valueOf(sim.port()));
    CallBridgeConfig config;
    try {
      CallBridgeConfig loaded = ConfigLoader.load(o.config(), env);
      config = o.adjust().apply(o.keepRunning() ? loaded : quiet(loaded));
      freshSchema(config.postgres(), out);
    } catch (ConfigException e) {
      out.println("demo: " + o.config() + " is invalid:\n  " + String.join("\n  ", e.errors()));
      await(simVertx.close());
      return 1;
    }
    Gateway gateway;
    try {
      gateway = await(o.flows().isPresent() ? Gateway.start(config, Clock.systemUTC(), o.flows().get())
          : Gateway.start(config));
    } catch (Exception e) {
      out.println("demo: the gateway did not start: " + message(e)
          + "\n  (PostgreSQL must answer at " + config.postgres().host() + ":" + config.postgres().port()
          + ": run bin/callbridge db; ports " + config.server().port() + "/" + config.server().adminPort()
          + " must be free: CALLBRIDGE_PORT, CALLBRIDGE_ADMIN_PORT)");
      await(simVertx.close());
      return 1;
    }
    String gatewayBase = "http://127.0.0.1:" + gateway.publicPort();
    String adminBase = "http://127.0.0.1:" + gateway.adminPort();
    String token = config.route("td-enrich").flatMap(r -> r.tokens().all().stream().findFirst())
        .map(t -> t.secret().value()).orElse("demo");
    String adminToken = config.server().adminTokens().all().stream().findFirst().map(t -> t.secret().value())
        .orElse("(unset)");
    out.println("CallBridge demo");
    out.println("  simulators  " + sim.baseUrl() + "   (" + o.simConfig() + ", seed " + simConfig.seed() + ")");
    out.println("  gateway     " + gatewayBase + "   admin " + adminBase + "   (" + o.config() + ")");

    List<Result> results = new ArrayList<>();
    Money money = new Money();
    for (FlowDemo script : scripts(money)) {
      results.add(runOne(script, gatewayBase, token, sim, out));
    }
    List<Money.Row> books = Money.compare(money.reports(), sim.state());
    boolean booksAgree = books.stream().allMatch(Money.Row::agrees);
    Optional<String> reconciled = Optional.empty();
    if (config.reconcile() != null) {
      sim.seedReporting(money.origins(java.time.Instant.now()));
      reconciled = Optional.of(reconcile(adminBase, adminToken));
      booksAgree &= reconciled.get().startsWith("✔");
    }

    long failed = results.stream().filter(r -> r.outcome() == DemoCall.Outcome.FAILED).count()
        + (booksAgree ? 0 : 1);
    long passed = results.stream().filter(r -> r.outcome() == DemoCall.Outcome.PASSED).count();
    long missing = results.stream().filter(r -> r.outcome() == DemoCall.Outcome.NOT_THERE_YET).count();
    out.println();
    out.println("Summary");
    for (Result r : results) {
      out.println(String.format("  %-9s %-14s %s", r.script().flow(), r.script().route(), switch (r.outcome()) {
        case PASSED -> "✔ as expected";
        case FAILED -> "✘ " + r.detail();
        case NOT_THERE_YET -> "· not there yet (the " + r.script().flow() + " flow is not in this build)";
      }));
    }
    out.println();
    out.println("Where to look");
    out.println("  metrics      curl -s " + adminBase + "/metrics | grep callbridge_");
    out.println("  health       curl -s " + adminBase + "/health/ready");
    out.println("  admin API    curl -s -H 'Authorization: Bearer " + adminToken + "' " + adminBase + "/admin/...");
    out.println("  simulators   curl -s '" + sim.baseUrl() + "/_sim/requests?since=0'   ·   curl -s " + sim.baseUrl()
        + "/_sim/state");
    out.println("  a call       curl -s -H 'X-CallBridge-Token: " + token + "' -H 'Content-Type: application/json' -d "
        + "'{\"caller_id\":\"+15557779999\",\"call_uuid\":\"TD-1\",\"subdomain\":\"demo\"}' " + gatewayBase
        + "/v1/ping/td-ping");
    out.println();
    Money.print(out, books);
    reconciled.ifPresent(line -> out.println("  " + line));
    if (!booksAgree) {
      out.println("  ✘ the two platforms' books disagree (see ✘ above)");
    }
    out.println();
    out.println(String.format("demo: %d passed, %d failed, %d not there yet%s", passed, failed, missing,
        failed == 0 ? " — every step behaved as expected" : " — see ✘ above"));

    if (o.keepRunning()) {
      out.println("demo: everything stays up (--keep-running); Ctrl-C stops. Each request to the gateway from now on"
          + " is an access line on stderr");
      ACCESS.setLevel(Level.INFO); // held back while the scripts printed their timelines
      Thread onExit = new Thread(() -> shutdown(gateway, simVertx));
      Runtime.getRuntime().addShutdownHook(onExit);
      try {
        o.stop().await(); // the command line's never opens: Ctrl-C (the hook) ends it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().removeShutdownHook(onExit);
    }
    shutdown(gateway, simVertx);
    return failed == 0 ? 0 : 1;
  }

  /**
   * Reconciles the last hour through the admin API, as an operator would (POST /admin/reconcile):
   * both simulated platforms' reporting APIs against each other and CallBridge's links.
   */
  private static String reconcile(String adminBase, String adminToken) {
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(adminBase + "/admin/reconcile"))
          .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
          .timeout(java.time.Duration.ofSeconds(30))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"since\":\"1h\"}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        return "✘ reconciliation answered " + answer.statusCode() + ": " + answer.body();
      }
      var report = new io.vertx.core.json.JsonObject(answer.body());
      var mismatches = report.getJsonArray("mismatches", new io.vertx.core.json.JsonArray());
      String read = "TrackDrive " + report.getValue("trackdriveCalls") + " calls, Ringba " + report.getValue("ringbaCalls")
          + " calls (bin/callbridge reconcile --since 1h --config conf/demo.yaml)";
      if (mismatches.isEmpty()) {
        return "✔ reconciled: both platforms agree on every call's money; " + read;
      }
      StringBuilder b = new StringBuilder("✘ reconciled: " + mismatches.size() + " mismatch(es); " + read);
      mismatches.forEach(m -> b.append("\n      ").append(((io.vertx.core.json.JsonObject) m).getString("kind"))
          .append(" ").append(((io.vertx.core.json.JsonObject) m).getString("detail")));
      return b.toString();
    } catch (Exception e) {
      return "✘ reconciliation failed: " + message(e);
    }
  }

  private static Result runOne(FlowDemo script, String gatewayBase, String token, Simulator sim, PrintStream out) {
    out.println();
    out.println("━━ " + script.flow() + " · " + script.route() + " — " + script.story());
    DemoCall call = new DemoCall(script, gatewayBase, token, sim, out);
    try {
      script.run(call);
    } catch (DemoCall.NotThereYet e) {
      out.println(String.format("  %-9s· not there yet: %s (this script runs as soon as it lands)", "outcome",
          e.getMessage()));
      return new Result(script, DemoCall.Outcome.NOT_THERE_YET, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.fail("interrupted");
    } catch (Exception e) {
      call.fail("the script stopped: " + e);
    }
    if (call.failures().isEmpty()) {
      out.println(String.format("  %-9s✔ as expected (%d checks)", "outcome", call.checks()));
      return new Result(script, DemoCall.Outcome.PASSED, "");
    }
    out.println(String.format("  %-9s✘ %d of %d checks failed", "outcome", call.failures().size(), call.checks()));
    return new Result(script, DemoCall.Outcome.FAILED, String.join("; ", call.failures()));
  }

  /**
   * The demo starts from an empty schema of its own (conf/demo.yaml: {@code callbridge_demo}), so its
   * ids, and the examples in the docs that follow it, come out the same every run. It never touches
   * {@code public}.
   */
  private static void freshSchema(io.callbridge.config.PostgresConfig db, PrintStream out) {
    if (db.schema().equals("public")) {
      return;
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password().value());
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS \"" + db.schema() + "\" CASCADE");
    } catch (java.sql.SQLException e) {
      out.println("demo: could not empty schema " + db.schema() + " (" + e.getMessage() + "); going on with it as it is");
    }
  }

  /** The demo prints its own timeline; the access log would interleave with it. */
  private static CallBridgeConfig quiet(CallBridgeConfig c) {
    return c.withServer(c.server().withAccessLog(false));
  }

  private static void shutdown(Gateway gateway, Vertx simVertx) {
    try {
      await(gateway.stop());
    } catch (RuntimeException ignored) {
      // exiting anyway
    }
    try {
      await(simVertx.close());
    } catch (RuntimeException ignored) {
      // exiting anyway
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out after 120 s", e);
    }
  }

  private static String message(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return String.valueOf(c.getMessage());
  }
}
