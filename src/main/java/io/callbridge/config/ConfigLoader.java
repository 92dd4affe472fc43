package io.callbridge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code callbridge.yaml}: every error is collected with its path before giving up. Templates
 * are checked to exist here; they are compiled and checked against their targets by
 * {@code template.Templates.of}, which the gateway and {@code check-config} run next.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static CallBridgeConfig load(Path file, Map<String, String> env) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file (give another with --config or CALLBRIDGE_CONFIG)"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), base, env);
  }

  public static CallBridgeConfig parse(String yaml, String sourceName, Path baseDir, Map<String, String> env)
      throws ConfigException {
    Object doc = parseYaml(yaml, sourceName);
    Node.Errors errors = new Node.Errors();
    Node root = Node.root(doc, errors, env);
    if (doc != null && !root.isMap()) {
      throw new ConfigException(List.of(sourceName + ": expected a mapping at the top level"));
    }

    Node serverNode = root.get("server");
    ServerConfig server = ServerConfig.parse(serverNode, env);
    PostgresConfig postgres = PostgresConfig.parse(root.get("postgres"), root.get("deployment"), env);
    CorrelationConfig correlation = CorrelationConfig.parse(root.get("correlation"));
    OutboxConfig outbox = OutboxConfig.parse(root.get("outbox"), env);
    LoggingConfig logging = LoggingConfig.parse(root.get("logging"), env);
    String region = root.string("phoneRegion", "US");
    if (!region.matches("[A-Z]{2}")) {
      root.get("phoneRegion").error("must be a two-letter region code such as US, got '" + region + "'");
    }
    // A missing folder is fine: the templates shipped in the jar serve every name it does not hold.
    Path templates = baseDir.resolve(root.string("templates", "templates")).normalize();

    Map<String, DestinationConfig> destinations = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : root.get("destinations").entries().entrySet()) {
      if (e.getValue().isMissing() || !e.getValue().isMap()) {
        e.getValue().error("expected a mapping with at least baseUrl");
        continue;
      }
      DestinationConfig d = DestinationConfig.parse(e.getKey(), e.getValue());
      d.headers().forEach((header, value) -> {
        String problem = header.equalsIgnoreCase("Authorization") ? GoLive.basicAuthProblem(value.value()) : null;
        if (problem != null) {
          e.getValue().get("headers").get(header).error("the Basic credentials " + problem + ": give the base64 of"
              + " public_key:private_key (printf %s 'PUBLIC:PRIVATE' | base64 -w0)");
        }
      });
      destinations.put(e.getKey(), d);
    }

    Node routesNode = root.get("routes");
    List<Node> routeNodes = routesNode.items();
    List<RouteConfig> routes = new java.util.ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node rn : routeNodes) {
      RouteConfig r = RouteConfig.parse(rn);
      if (!r.name().isEmpty() && !names.add(r.name())) {
        rn.get("name").error("duplicate route name '" + r.name() + "'");
      }
      List<Node> targetNodes = rn.get("targets").items();
      for (int i = 0; i < r.targets().size(); i++) {
        TargetConfig t = r.targets().get(i);
        Node tn = targetNodes.get(i);
        if (!t.destination().isEmpty() && !destinations.containsKey(t.destination())) {
          tn.get("destination").error("unknown destination '" + t.destination() + "'"
              + (destinations.isEmpty() ? " (no destinations are configured)" : " (configured: "
              + String.join(", ", destinations.keySet()) + ")"));
        }
        if (!t.template().isEmpty() && !TemplateFiles.exists(templates, t.template())) {
          tn.get("template").error(unknownTemplate(t.template(), templates));
        }
      }
      if (r.settings() instanceof PingSettings ping && !ping.answerTemplate().isEmpty()
          && !TemplateFiles.exists(templates, ping.answerTemplate())) {
        rn.get("answerTemplate").error(unknownTemplate(ping.answerTemplate(), templates));
      }
      if (r.settings() instanceof RingTreeSettings tree && !TemplateFiles.exists(templates, tree.postTemplate())) {
        rn.get("postTemplate").error(unknownTemplate(tree.postTemplate(), templates));
      }
      if (r.kind() != null && r.targets().isEmpty()) {
        rn.get("targets").error("a " + r.kind().yamlName() + " route needs at least one target");
      }
      if (r.settings() instanceof LeadSettings lead && !r.targets().isEmpty()) {
        checkEndpoint(lead, destinations.get(r.targets().get(0).destination()),
            rn.get("postingInstructions").get("endpointUrl"));
      }
      routes.add(r);
    }
    ReconcileConfig reconcile = ReconcileConfig.parse(root.get("reconcile"), destinations);
    tokensKeepToOneRole(server, routes, root);
    root.finish();
    if (!errors.list().isEmpty()) {
      throw new ConfigException(errors.list());
    }
    return new CallBridgeConfig(server, postgres, correlation, outbox, region, templates, Map.copyOf(destinations),
        List.copyOf(routes), logging, reconcile);
  }

  /**
   * A token belongs to one role: a route caller's token that also opens the admin API (or a viewer's
   * that is also an operator's) would let whoever holds one do what the other may.
   */
  private static void tokensKeepToOneRole(ServerConfig server, List<RouteConfig> routes, Node root) {
    Map<String, String> roleOf = new java.util.HashMap<>();
    Map<String, String> whereOf = new java.util.HashMap<>();
    List<String[]> all = new java.util.ArrayList<>();
    for (Tokens.Named t : server.adminTokens().all()) {
      all.add(new String[] {t.secret().value(), t.role().yamlName(), "server.adminTokens '" + t.name() + "'"});
    }
    for (int i = 0; i < routes.size(); i++) {
      for (Tokens.Named t : routes.get(i).tokens().all()) {
        all.add(new String[] {t.secret().value(), "caller", "routes[" + i + "].auth '" + t.name() + "'"});
      }
    }
    for (String[] t : all) {
      if (t[0].isEmpty()) {
        continue;
      }
      String role = roleOf.putIfAbsent(t[0], t[1]);
      whereOf.putIfAbsent(t[0], t[2]);
      if (role != null && !role.equals(t[1])) {
        root.get("server").error("the token of " + t[2] + " (" + t[1] + ") is also the token of " + whereOf.get(t[0])
            + " (" + role + "): give each role its own token");
      }
    }
  }

  private static String unknownTemplate(String name, Path dir) {
    return "unknown template '" + name + "' (no file " + name + ".yaml in " + dir
        + ", and no template of that name ships with CallBridge)";
  }

  /**
   * Posting instructions are used exactly: the lead is posted to {@code endpointUrl}, so it must be on
   * the target destination (scheme, host and port; the host never comes from anywhere else). On a
   * destination with a per-call host, the endpoint may be on any of its allowed company hosts.
   */
  private static void checkEndpoint(LeadSettings lead, DestinationConfig destination, Node where) {
    if (destination == null || destination.baseUrl() == null || lead.endpointUrl().isEmpty()) {
      return;
    }
    java.net.URI ep;
    try {
      ep = new java.net.URI(lead.endpointUrl());
    } catch (java.net.URISyntaxException e) {
      where.error("not a URL: " + e.getMessage());
      return;
    }
    int port = ep.getPort() > 0 ? ep.getPort() : ("https".equals(ep.getScheme()) ? 443 : 80);
    boolean host = ep.getHost() != null && (destination.baseUrl().getHost().equalsIgnoreCase(ep.getHost())
        || destination.allowsHost(ep.getHost()));
    String query = ep.getRawQuery() == null ? "" : "&" + ep.getRawQuery();
    if (query.contains("&lead_token=") || query.contains("&traffic_source_id=")) {
      where.error("'" + lead.endpointUrl() + "' carries the posting instructions in its query: put only the URL before"
          + " '?' here, the lead_token value in postingInstructions.leadToken and the traffic_source_id value in"
          + " postingInstructions.trafficSourceId (CallBridge sends both with every lead)");
      return;
    }
    if (!destination.baseUrl().getScheme().equals(ep.getScheme()) || !host || port != destination.port()) {
      where.error("'" + lead.endpointUrl() + "' is not on the target's destination '" + destination.name() + "' ("
          + destination.baseUrl() + "): point the destination's baseUrl at the endpoint's host");
    } else if (ep.getRawPath() == null || ep.getRawPath().isEmpty() || ep.getRawPath().equals("/")) {
      where.error("'" + lead.endpointUrl() + "' has no path (TrackDrive's is /api/v1/leads)");
    }
  }

  static Object parseYaml(String yaml, String sourceName) throws ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    try {
      return new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      String where = m == null ? sourceName : sourceName + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
      throw new ConfigException(List.of(where + ": " + e.getProblem()
          + (e.getContext() == null ? "" : " (" + e.getContext() + ")")));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(sourceName + ": " + e.getMessage()));
    }
  }
}
