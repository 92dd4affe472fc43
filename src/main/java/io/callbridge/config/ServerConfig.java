package io.callbridge.config;

import java.time.Duration;

/** The two listening ports and what every inbound request is held to. */
public record ServerConfig(
    String host,
    int port,
    int adminPort,
    long bodyLimitBytes,
    Duration idleTimeout,
    Duration shutdownGrace,
    int instances,
    boolean accessLog,
    Secret adminToken,
    boolean vertxHttpMetrics) {

  /** Without {@code vertxHttpMetrics} (on). */
  public ServerConfig(String host, int port, int adminPort, long bodyLimitBytes, Duration idleTimeout,
      Duration shutdownGrace, int instances, boolean accessLog, Secret adminToken) {
    this(host, port, adminPort, bodyLimitBytes, idleTimeout, shutdownGrace, instances, accessLog, adminToken, true);
  }

  static ServerConfig parse(Node n, java.util.Map<String, String> env) {
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
    Secret adminToken = n.secret("adminToken", env.getOrDefault("CALLBRIDGE_ADMIN_TOKEN", ""));
    n.finish();
    port = envPort(env, "CALLBRIDGE_PORT", port, n);
    adminPort = envPort(env, "CALLBRIDGE_ADMIN_PORT", adminPort, n);
    if (port != 0 && port == adminPort) {
      n.get("adminPort").error("must differ from server.port (" + port + ")");
    }
    return new ServerConfig(host, port, adminPort, bodyLimit, idle, grace, instances, accessLog, adminToken,
        vertxHttpMetrics);
  }

  private static int envPort(java.util.Map<String, String> env, String name, int fallback, Node n) {
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
        adminToken, vertxHttpMetrics);
  }
}
