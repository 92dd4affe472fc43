package io.callbridge.config;

import java.util.regex.Pattern;

/**
 * Where the database is. {@code schema} lets several test classes or tenants share one database.
 * {@code deployment} (the configuration's top-level {@code deployment}, env
 * {@code CALLBRIDGE_DEPLOYMENT}) names the instances that share its outbox: each connection carries
 * it, and an instance claims, delivers, replays and cancels only its own deployment's rows.
 */
public record PostgresConfig(
    String host, int port, String database, String user, Secret password, int poolSize, String schema,
    String deployment) {

  private static final Pattern IDENT = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern DEPLOYMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  public static final String DEFAULT_DEPLOYMENT = "default";

  /** {@code deployment}: the root's {@code deployment} node; the environment's CALLBRIDGE_DEPLOYMENT wins. */
  static PostgresConfig parse(Node n, Node deploymentNode, java.util.Map<String, String> env) {
    String deployment = deploymentNode.text(DEFAULT_DEPLOYMENT);
    String fromEnv = env.get("CALLBRIDGE_DEPLOYMENT");
    if (fromEnv != null && !fromEnv.isBlank()) {
      deployment = fromEnv.trim();
    }
    if (!DEPLOYMENT.matcher(deployment).matches()) {
      deploymentNode.error("must be lowercase letters, digits and '-' (at most 63), got '" + deployment + "'");
    }
    return parse(n).withDeployment(deployment);
  }

  static PostgresConfig parse(Node n) {
    String host = n.string("host", "127.0.0.1");
    int port = n.integer("port", 5432, 1, 65535);
    String db = n.string("database", "callbridge");
    String user = n.string("user", "callbridge");
    Secret password = n.secret("password", "");
    int pool = n.integer("poolSize", 8, 1, 1000);
    String schema = n.string("schema", "public");
    if (!IDENT.matcher(schema).matches()) {
      n.get("schema").error("must be a lowercase SQL identifier, got '" + schema + "'");
    }
    n.finish();
    return new PostgresConfig(host, port, db, user, password, pool, schema, DEFAULT_DEPLOYMENT);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PostgresConfig withSchema(String newSchema) {
    return new PostgresConfig(host, port, database, user, password, poolSize, newSchema, deployment);
  }

  public PostgresConfig withEndpoint(String newHost, int newPort) {
    return new PostgresConfig(newHost, newPort, database, user, password, poolSize, schema, deployment);
  }

  public PostgresConfig withDeployment(String name) {
    return new PostgresConfig(host, port, database, user, password, poolSize, schema, name);
  }
}
