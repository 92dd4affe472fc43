package io.callbridge.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The two listening ports and what every inbound request is held to.
 *
 * <p>{@code adminTokens} are the admin port's tokens with their roles. {@code trustedProxies} are
 * the networks whose {@code X-Forwarded-For} is believed (a caller's address is otherwise the
 * connection's); {@code adminAllowFrom} the networks the admin API may be called from (empty:
 * anywhere). {@code tls} (null: plain HTTP) serves both ports over TLS from PEM files.
 */
public record ServerConfig(
    String host,
    int port,
    int adminPort,
    long bodyLimitBytes,
    Duration idleTimeout,
    Duration shutdownGrace,
    int instances,
    boolean accessLog,
    Tokens adminTokens,
    boolean vertxHttpMetrics,
    List<Cidr> trustedProxies,
    List<Cidr> adminAllowFrom,
    Tls tls,
    String transport) {

  /**
   * The socket transports {@code server.transport} names: {@code auto} (the default: io_uring where
   * the kernel allows it, else NIO), {@code io_uring} (fails to start where it is not available) or
   * {@code nio}.
   */
  public static final List<String> TRANSPORTS = List.of("auto", "io_uring", "nio");

  /**
   * {@code tls: {certPath, keyPath, reloadInterval}}: a PEM certificate chain and its PEM private key
   * (paths, typically from the environment). The files are read again every {@code reloadInterval}
   * (default 1m) and, when they changed, new connections get the new certificate: no restart.
   */
  public record Tls(String certPath, String keyPath, Duration reloadInterval) {}

  static ServerConfig parse(Node n, Map<String, String> env) {
    String host = n.string("host", "0.0.0.0");
    int port = n.integer("port", 8080, 0, 65535);
    int adminPort = n.integer("adminPort", 9090, 0, 65535);
    long bodyLimit = n.bytes("bodyLimit", 64 * 1024);
    Duration idle = n.duration("idleTimeout", Duration.ofSeconds(60));
    Duration grace = n.duration("shutdownGrace", Duration.ofSeconds(10));
    int instances = n.integer("instances", Runtime.getRuntime().availableProcessors(), 1, 256);
    boolean accessLog = n.bool("accessLog", true);
    // Vert.x's own per-request HTTP meters (vertx_http_server_*, vertx_http_client_*) look a meter up
    // on every request; callbridge_route_* and callbridge_upstream_* cover the same ground.
    boolean vertxHttpMetrics = n.bool("vertxHttpMetrics", true);
    Tokens adminTokens = Tokens.parseAdmin(n, env.getOrDefault("CALLBRIDGE_ADMIN_TOKEN", ""));
    List<Cidr> trusted = Cidr.list(n, "trustedProxies");
    List<Cidr> adminAllowFrom = Cidr.list(n, "adminAllowFrom");
    Tls tls = tls(n.get("tls"));
    String transport = n.string("transport", "auto");
    if (!TRANSPORTS.contains(transport)) {
      n.get("transport").error("must be one of " + TRANSPORTS + ", got '" + transport + "'");
    }
    n.finish();
    port = envPort(env, "CALLBRIDGE_PORT", port, n);
    adminPort = envPort(env, "CALLBRIDGE_ADMIN_PORT", adminPort, n);
    if (port != 0 && port == adminPort) {
      n.get("adminPort").error("must differ from server.port (" + port + ")");
    }
    return new ServerConfig(host, port, adminPort, bodyLimit, idle, grace, instances, accessLog, adminTokens,
        vertxHttpMetrics, trusted, adminAllowFrom, tls, transport);
  }

  private static Tls tls(Node n) {
    if (n.isMissing()) {
      return null;
    }
    n.only("certPath", "keyPath", "reloadInterval");
    String cert = n.string("certPath", "");
    String key = n.string("keyPath", "");
    Duration reload = n.duration("reloadInterval", Duration.ofMinutes(1));
    if (cert.isBlank() && key.isBlank()) {
      return null; // both unset (e.g. ${CALLBRIDGE_TLS_CERT:-}): plain HTTP, behind a TLS-terminating balancer
    }
    if (cert.isBlank() || key.isBlank()) {
      n.get(cert.isBlank() ? "certPath" : "keyPath").error("is empty while " + (cert.isBlank() ? "keyPath" : "certPath")
          + " is set: give both PEM files (the certificate chain and its private key), or neither for plain HTTP");
      return null;
    }
    if (reload.isNegative() || reload.isZero()) {
      n.get("reloadInterval").error("must be above 0");
    }
    return new Tls(cert, key, reload);
  }

  private static int envPort(Map<String, String> env, String name, int fallback, Node n) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    n.error("environment variable " + name + " must be a port number, got '" + v + "'");
    return fallback;
  }

  public ServerConfig withPorts(int port, int adminPort) {
    return new ServerConfig(host, port, adminPort, bodyLimitBytes, idleTimeout, shutdownGrace, instances, accessLog,
        adminTokens, vertxHttpMetrics, trustedProxies, adminAllowFrom, tls, transport);
  }

  public ServerConfig withAccessLog(boolean on) {
    return new ServerConfig(host, port, adminPort, bodyLimitBytes, idleTimeout, shutdownGrace, instances, on,
        adminTokens, vertxHttpMetrics, trustedProxies, adminAllowFrom, tls, transport);
  }

  public ServerConfig withTls(Tls t) {
    return new ServerConfig(host, port, adminPort, bodyLimitBytes, idleTimeout, shutdownGrace, instances, accessLog,
        adminTokens, vertxHttpMetrics, trustedProxies, adminAllowFrom, t, transport);
  }
}
