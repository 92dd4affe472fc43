package io.callbridge.testing;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.ConfigLoader;
import io.callbridge.config.PostgresConfig;
import io.callbridge.template.Templates;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configurations for tests: YAML text in the test, shipped templates, ephemeral ports, a test schema. */
public final class TestConfigs {
  public static final Path CONF_DIR = Path.of("conf").toAbsolutePath();

  /** One ping route 'echo' (token route-secret) with a 1 KiB body limit and admin token admin-secret. */
  public static final String ONE_ROUTE = """
      server: { bodyLimit: 1KiB, accessLog: false, adminToken: admin-secret }
      destinations:
        sim: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: echo
          kind: ping
          auth: { token: route-secret }
          targets: [ { destination: sim, template: ringba-rtb-ping, vars: { rtb_id: r1 } } ]
      """;

  private TestConfigs() {}

  /**
   * Parses {@code yaml} as if it were a file in conf/ (so {@code templates: templates} finds the
   * shipped ones), and checks its templates against its targets as the gateway will.
   */
  public static CallBridgeConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    CallBridgeConfig config = ConfigLoader.parse(yaml, "test.yaml", CONF_DIR, env);
    Templates.of(config);
    return config;
  }

  public static CallBridgeConfig parse(String yaml) throws ConfigException {
    return parse(yaml, Map.of());
  }

  /** The configuration with ports 0 (ephemeral), one server instance, and the given database schema. */
  public static CallBridgeConfig forTest(String yaml, PostgresConfig db) {
    return forTest(yaml, db, Map.of());
  }

  /** As {@link #forTest(String, PostgresConfig)}, with {@code ${VAR}} references resolved from {@code env}. */
  public static CallBridgeConfig forTest(String yaml, PostgresConfig db, Map<String, String> env) {
    try {
      CallBridgeConfig c = parse(yaml, new HashMap<>(env));
      return c.withServer(c.server().withPorts(0, 0)).withPostgres(db.withDeployment(c.postgres().deployment()));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("test configuration is invalid:\n" + String.join("\n", e.errors()), e);
    }
  }
}
