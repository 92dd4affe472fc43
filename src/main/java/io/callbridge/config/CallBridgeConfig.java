package io.callbridge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole, validated configuration. Immutable; secrets are {@link Secret}s and print redacted.
 * {@code templatesDir} holds the request templates the route targets name (compiled by the gateway).
 */
public record CallBridgeConfig(
    ServerConfig server,
    PostgresConfig postgres,
    CorrelationConfig correlation,
    OutboxConfig outbox,
    String phoneRegion,
    Path templatesDir,
    Map<String, DestinationConfig> destinations,
    List<RouteConfig> routes,
    LoggingConfig logging,
    ReconcileConfig reconcile) {

  /** With text logging (tests and tools that build a configuration in code). */
  public CallBridgeConfig(ServerConfig server, PostgresConfig postgres, CorrelationConfig correlation,
      OutboxConfig outbox, String phoneRegion, Path templatesDir, Map<String, DestinationConfig> destinations,
      List<RouteConfig> routes) {
    this(server, postgres, correlation, outbox, phoneRegion, templatesDir, destinations, routes, LoggingConfig.TEXT, null);
  }

  public Optional<RouteConfig> route(String name) {
    return routes.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public CallBridgeConfig withServer(ServerConfig s) {
    return new CallBridgeConfig(s, postgres, correlation, outbox, phoneRegion, templatesDir, destinations, routes, logging, reconcile);
  }

  public CallBridgeConfig withPostgres(PostgresConfig p) {
    return new CallBridgeConfig(server, p, correlation, outbox, phoneRegion, templatesDir, destinations, routes, logging, reconcile);
  }

  public CallBridgeConfig withCorrelation(CorrelationConfig c) {
    return new CallBridgeConfig(server, postgres, c, outbox, phoneRegion, templatesDir, destinations, routes, logging, reconcile);
  }

  public CallBridgeConfig withOutbox(OutboxConfig o) {
    return new CallBridgeConfig(server, postgres, correlation, o, phoneRegion, templatesDir, destinations, routes, logging, reconcile);
  }

  /** One line per route, for {@code check-config} and the start-up log (no secrets). */
  public List<String> summary() {
    return routes.stream().map(r -> {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("%-10s %-22s %-30s deadline %dms", r.kind().yamlName(), r.name(), r.path(),
          r.deadline().toMillis()));
      sb.append(" targets: ");
      if (r.targets().isEmpty()) {
        sb.append("(none)");
      } else {
        sb.append(String.join(", ", r.targets().stream()
            .map(t -> t.name() + " -> " + t.destination() + " [" + t.template() + "]").toList()));
      }
      return sb.toString();
    }).toList();
  }
}
