package io.callbridge;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.ConfigLoader;
import io.callbridge.config.GoLive;
import io.callbridge.template.Templates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** The command line behind {@code bin/callbridge}. Runs on the main thread, never on an event loop. */
public final class Main {
  /** Each command's usage: its synopsis, then what it does. */
  private static final Map<String, String> USAGE = new java.util.LinkedHashMap<>();

  static {
    USAGE.put("run", """
          run [--config FILE]        start the gateway in the foreground (default conf/callbridge.yaml,
                                     or CALLBRIDGE_CONFIG)
        """);
    USAGE.put("check-config", """
          check-config [FILE] [--strict | --lenient]
                                     validate a configuration (default as for run): every error with
                                     its path (exit 1), or a summary per route (exit 0). --strict adds
                                     the go-live checks (unset secrets, placeholders, malformed keys);
                                     it is the default for a file named callbridge.yaml
        """);
    USAGE.put("reconcile", """
          reconcile --since AGE|INSTANT [--until AGE|INSTANT] [--format table|json|csv] [--config FILE]
                                     read both platforms' records of the window (reconcile: in the
                                     configuration) and list every call whose money differs; exit 0
                                     when none does, 3 when some do, 1 when a platform could not be read
        """);
    USAGE.put("sim", """
          sim [--port P] [--seed N] [--config FILE]
                                     run the Ringba and TrackDrive simulators (default port 8090, or
                                     CALLBRIDGE_SIM_PORT; default conf/sim.yaml)
        """);
    USAGE.put("demo", """
          demo [--keep-running]      start the simulators and the gateway (conf/demo.yaml), drive scripted
                                     calls through every flow, print each call's timeline
        """);
  }

  private Main() {}

  public static void main(String[] args) {
    Logging.setup();
    System.exit(execute(args, System.out, System.err, System.getenv()));
  }

  static String usage() {
    return "usage: callbridge <command> [options]   (callbridge <command> --help for one command)\n"
        + String.join("", USAGE.values()) + "  --help                     this text\n";
  }

  static String usage(String command) {
    return "usage: callbridge " + USAGE.get(command).stripLeading();
  }

  /**
   * Runs one command and returns its exit code: 0 done, 1 it failed, 2 the command line is wrong
   * (the message and the usage on {@code err}). Main exits with it; tests call this directly.
   */
  static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      (args.length == 0 ? err : out).print(usage());
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    if (!USAGE.containsKey(command)) {
      err.print("callbridge: unknown command '" + command + "'\n" + usage());
      return 2;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      CommandLine line = switch (command) {
        case "run" -> CommandLine.parse(rest, Set.of("--config"), Set.of(), 0);
        case "check-config" -> CommandLine.parse(rest, Set.of("--config"), Set.of("--strict", "--lenient"), 1);
        case "sim" -> CommandLine.parse(rest, Set.of("--port", "--seed", "--config"), Set.of(), 0);
        case "reconcile" -> CommandLine.parse(rest, Set.of("--since", "--until", "--format", "--config"), Set.of(), 0);
        default -> CommandLine.parse(rest, Set.of(), Set.of("--keep-running"), 0);
      };
      if (line.help()) {
        out.print(usage(command));
        return 0;
      }
      return switch (command) {
        case "run" -> run(configPath(line, env), env, err);
        case "check-config" -> checkConfig(line, env, out);
        case "reconcile" -> reconcile(line, env, out, err);
        case "sim" -> io.callbridge.sim.SimCommand.run(line.number("--port", 0, 65535).map(Long::intValue),
            line.number("--seed", Long.MIN_VALUE, Long.MAX_VALUE), line.option("--config").map(Path::of), env);
        default -> io.callbridge.demo.Demo.run(line.flag("--keep-running"), env);
      };
    } catch (CommandLine.Usage e) {
      err.print("callbridge " + command + ": " + e.getMessage() + "\n" + usage(command));
      return 2;
    }
  }

  static Path configPath(CommandLine line, Map<String, String> env) {
    Optional<String> given = line.option("--config").or(() -> line.positional().stream().findFirst());
    if (given.isPresent()) {
      return Path.of(given.get());
    }
    String fromEnv = env.get("CALLBRIDGE_CONFIG");
    return Path.of(fromEnv != null && !fromEnv.isBlank() ? fromEnv : "conf/callbridge.yaml");
  }

  /**
   * The configuration with its templates compiled and checked against their targets, so every
   * problem is reported before anything starts (the gateway compiles them again for itself).
   */
  static CallBridgeConfig load(Path file, Map<String, String> env) throws ConfigException {
    CallBridgeConfig config = ConfigLoader.load(file, env);
    Templates.of(config);
    return config;
  }

  private static int checkConfig(CommandLine line, Map<String, String> env, PrintStream out) throws CommandLine.Usage {
    if (line.flag("--strict") && line.flag("--lenient")) {
      throw new CommandLine.Usage("--strict and --lenient exclude each other");
    }
    if (line.option("--config").isPresent() && !line.positional().isEmpty()) {
      throw new CommandLine.Usage("give the file once: as FILE or with --config");
    }
    Path file = configPath(line, env);
    boolean strict = line.flag("--strict") || (!line.flag("--lenient") && isProduction(file));
    try {
      CallBridgeConfig config = load(file, env);
      List<String> goLive = strict ? goLiveProblems(file, env) : List.of();
      if (!goLive.isEmpty()) {
        out.println(file + ": valid, but not ready to go live: " + goLive.size() + " problem(s)"
            + " (--lenient checks only that it is valid)");
        goLive.forEach(problem -> out.println("  " + problem));
        return 1;
      }
      out.println(file + ": OK" + (strict ? ", ready to go live" : " (valid; --strict also checks it is ready to go live)")
          + ", " + config.routes().size() + " route(s), " + config.destinations().size() + " destination(s)");
      config.summary().forEach(summary -> out.println("  " + summary));
      GoLive.warnings(config).forEach(warning -> out.println("  warning: " + warning));
      return 0;
    } catch (ConfigException e) {
      out.println(file + ": " + e.errors().size() + " error(s)");
      e.errors().forEach(error -> out.println("  " + error));
      return 1;
    }
  }

  /** The production file is checked for going live unless --lenient says otherwise. */
  static boolean isProduction(Path file) {
    return file.getFileName() != null && file.getFileName().toString().equals("callbridge.yaml");
  }

  static List<String> goLiveProblems(Path file, Map<String, String> env) throws ConfigException {
    try {
      return GoLive.problems(java.nio.file.Files.readString(file), file.toString(), env);
    } catch (java.io.IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
    }
  }

  /** {@code reconcile}: one run over the window, its report on {@code out}. */
  private static int reconcile(CommandLine line, Map<String, String> env, PrintStream out, PrintStream err)
      throws CommandLine.Usage {
    String format = line.option("--format").orElse("table");
    if (!Set.of("table", "json", "csv").contains(format)) {
      throw new CommandLine.Usage("--format must be table, json or csv, got '" + format + "'");
    }
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant since = when(line.option("--since").orElseThrow(() -> new CommandLine.Usage("--since is required"
        + " (an age such as 24h, or an ISO instant)")), now, "--since");
    java.time.Instant until = line.option("--until").isPresent() ? when(line.option("--until").get(), now, "--until") : now;
    if (!since.isBefore(until)) {
      throw new CommandLine.Usage("--since must be before --until");
    }
    Path file = configPath(line, env);
    CallBridgeConfig config;
    try {
      config = load(file, env);
    } catch (ConfigException e) {
      err.println(file + ": " + e.errors().size() + " error(s)");
      e.errors().forEach(error -> err.println("  " + error));
      return 1;
    }
    if (config.reconcile() == null) {
      err.println(file + ": no reconcile section: give reconcile.trackdrive.destination and reconcile.ringba"
          + " (accountId, apiToken) to read both platforms' records");
      return 1;
    }
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.callbridge.store.Database.migrate(config.postgres());
      io.callbridge.store.Database db = io.callbridge.store.Database.open(vertx, config.postgres());
      io.callbridge.reconcile.Reconciler reconciler = new io.callbridge.reconcile.Reconciler(vertx, db.pool(),
          config.reconcile(), config.destinations().get(config.reconcile().trackDriveDestination()));
      io.callbridge.reconcile.Report report = reconciler.run(since, until).toCompletionStage().toCompletableFuture()
          .get(1, TimeUnit.HOURS);
      out.print(switch (format) {
        case "json" -> report.toJson().encodePrettily() + "\n";
        case "csv" -> report.toCsv();
        default -> report.toTable();
      });
      reconciler.close();
      db.close();
      return report.mismatches().isEmpty() ? 0 : 3;
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      err.println("reconcile failed: " + cause.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }

  /** An ISO instant, or an age before {@code now} ({@code 90m}, {@code 24h}, {@code 7d}). */
  static java.time.Instant when(String text, java.time.Instant now, String option) throws CommandLine.Usage {
    try {
      return io.callbridge.reconcile.Window.instant(text, now);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.Usage(option + " " + e.getMessage());
    }
  }

  private static int run(Path file, Map<String, String> env, PrintStream err) {
    long t0 = System.nanoTime();
    Logger log = Logger.getLogger("callbridge");
    CallBridgeConfig config;
    try {
      config = load(file, env);
      Logging.use(config.logging().format());
    } catch (ConfigException e) {
      err.println(file + ": " + e.errors().size() + " error(s); nothing started");
      e.errors().forEach(line -> err.println("  " + line));
      return 1;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      err.println("callbridge did not start: " + cause.getMessage());
      return 1;
    }
    config.summary().forEach(line -> log.info("route " + line));
    config.routes().stream().filter(r -> !r.tokens().isPresent()).forEach(r -> log.warning("route " + r.name()
        + " has no token configured (its auth.token variable is unset): it answers 401 to every caller"));
    GoLive.warnings(config).forEach(warning -> log.warning(warning));
    if (isProduction(file)) {
      try {
        goLiveProblems(file, env).forEach(problem -> log.warning("not ready to go live: " + problem));
      } catch (ConfigException e) {
        e.errors().forEach(log::warning);
      }
    }
    log.info(String.format("callbridge ready in %d ms: public port %d, admin port %d (metrics, health%s)",
        (System.nanoTime() - t0) / 1_000_000, gateway.publicPort(), gateway.adminPort(),
        config.server().adminTokens().isPresent() ? ", admin API" : "; admin API off: CALLBRIDGE_ADMIN_TOKEN unset"));
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      gateway.stop().onComplete(ar -> stopped.countDown());
    };
    Signals.onTerminate(stop);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("callbridge stopped");
    return 0;
  }
}
