package io.callbridge;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.ConfigLoader;
import io.callbridge.template.Templates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** The command line behind {@code bin/callbridge}. Runs on the main thread, never on an event loop. */
public final class Main {
  private static final String USAGE = """
      usage: callbridge <command> [options]
        run [--config FILE]        start the gateway in the foreground (default conf/callbridge.yaml,
                                   or CALLBRIDGE_CONFIG)
        check-config [FILE]        validate a configuration: every error with its path, or a summary
        sim [--port P] [--seed N] [--config FILE]
                                   run the Ringba and TrackDrive simulators (default port 8090, or
                                   CALLBRIDGE_SIM_PORT; default conf/sim.yaml)
        demo [--keep-running]      start the simulators and the gateway (conf/demo.yaml), drive scripted
                                   calls through every flow, print each call's timeline
        --help                     this text
      """;

  private Main() {}

  public static void main(String[] args) {
    Logging.setup();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      System.out.print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    System.exit(execute(args, System.out));
  }

  /** Runs one command and returns its exit code (main exits with it; tests call this directly). */
  static int execute(String[] args, PrintStream out) {
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    return switch (command) {
      case "run" -> run(rest);
      case "check-config" -> checkConfig(rest, out);
      case "sim" -> io.callbridge.sim.SimCommand.run(rest, System.getenv());
      case "demo" -> io.callbridge.demo.Demo.run(rest, System.getenv());
      default -> {
        System.err.println("unknown command '" + command + "'\n" + USAGE);
        yield 2;
      }
    };
  }

  static Path configPath(List<String> args, Map<String, String> env) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--config") && i + 1 < args.size()) {
        return Path.of(args.get(i + 1));
      }
      if (args.get(i).startsWith("--config=")) {
        return Path.of(args.get(i).substring("--config=".length()));
      }
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

  private static int checkConfig(List<String> args, PrintStream out) {
    Map<String, String> env = System.getenv();
    Path file = args.isEmpty() || args.get(0).startsWith("--") ? configPath(args, env) : Path.of(args.get(0));
    try {
      CallBridgeConfig config = load(file, env);
      out.println(file + ": OK, " + config.routes().size() + " route(s), " + config.destinations().size()
          + " destination(s)");
      config.summary().forEach(line -> out.println("  " + line));
      return 0;
    } catch (ConfigException e) {
      out.println(file + ": " + e.errors().size() + " error(s)");
      e.errors().forEach(err -> out.println("  " + err));
      return 1;
    }
  }

  private static int run(List<String> args) {
    long t0 = System.nanoTime();
    Logger log = Logger.getLogger("callbridge");
    Map<String, String> env = System.getenv();
    Path file = configPath(args, env);
    CallBridgeConfig config;
    try {
      config = load(file, env);
    } catch (ConfigException e) {
      System.err.println(file + ": " + e.errors().size() + " error(s); nothing started");
      e.errors().forEach(err -> System.err.println("  " + err));
      return 1;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("callbridge did not start: " + cause.getMessage());
      return 1;
    }
    config.summary().forEach(line -> log.info("route " + line));
    config.routes().stream().filter(r -> !r.token().isPresent()).forEach(r -> log.warning("route " + r.name()
        + " has no token configured (its auth.token variable is unset): it answers 401 to every caller"));
    log.info(String.format("callbridge ready in %d ms: public port %d, admin port %d (metrics, health%s)",
        (System.nanoTime() - t0) / 1_000_000, gateway.publicPort(), gateway.adminPort(),
        config.server().adminToken().isPresent() ? ", admin API" : "; admin API off: CALLBRIDGE_ADMIN_TOKEN unset"));
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
