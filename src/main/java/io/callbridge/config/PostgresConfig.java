package io.callbridge.config;

import java.util.regex.Pattern;

/** Where the database is. {@code schema} lets several test classes or tenants share one database. */
public record PostgresConfig(
    String host, int port, String database, String user, Secret password, int poolSize, String schema) {

  private static final Pattern IDENT = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

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
    return new PostgresConfig(host, port, db, user, password, pool, schema);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PostgresConfig withSchema(String newSchema) {
    return new PostgresConfig(host, port, database, user, password, poolSize, newSchema);
  }

  public PostgresConfig withEndpoint(String newHost, int newPort) {
    return new PostgresConfig(newHost, newPort, database, user, password, poolSize, schema);
  }
}
