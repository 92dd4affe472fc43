package io.callbridge.testing;

import io.callbridge.config.PostgresConfig;
import io.callbridge.config.Secret;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real PostgreSQL of the test machine ({@code bin/callbridge db} prepared it), with a fresh
 * schema per test class so classes run in any order and never see each other's rows.
 */
public final class TestDb {
  private static final AtomicInteger SEQ = new AtomicInteger();

  private TestDb() {}

  public static PostgresConfig base() {
    return new PostgresConfig(
        env("CALLBRIDGE_DB_HOST", "127.0.0.1"),
        Integer.parseInt(env("CALLBRIDGE_DB_PORT", "5432")),
        env("CALLBRIDGE_DB_NAME", "callbridge"),
        env("CALLBRIDGE_DB_USER", "callbridge"),
        new Secret(env("CALLBRIDGE_DB_PASSWORD", "callbridge")),
        4,
        "public",
        PostgresConfig.DEFAULT_DEPLOYMENT);
  }

  /** A new, empty schema named after the test class; dropped first if a previous run left it. */
  public static PostgresConfig freshSchema(Class<?> testClass) {
    String schema = ("t_" + testClass.getSimpleName() + "_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet())
        .toLowerCase(Locale.ROOT);
    if (schema.length() > 63) {
      schema = schema.substring(0, 63);
    }
    PostgresConfig cfg = base().withSchema(schema);
    exec(cfg, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    exec(cfg, "CREATE SCHEMA " + schema);
    return cfg;
  }

  public static void drop(PostgresConfig cfg) {
    exec(cfg, "DROP SCHEMA IF EXISTS " + cfg.schema() + " CASCADE");
  }

  /** Runs SQL over JDBC (test thread only, never an event loop). */
  public static void exec(PostgresConfig cfg, String sql) {
    try (Connection c = connect(cfg); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + e.getMessage()
          + " (run bin/callbridge db to prepare PostgreSQL)", e);
    }
  }

  /** The single number {@code sql} selects (a count), over JDBC (test thread only). */
  public static long count(PostgresConfig cfg, String sql) {
    try (Connection c = connect(cfg); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + e.getMessage(), e);
    }
  }

  public static Connection connect(PostgresConfig cfg) throws SQLException {
    Connection c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password().value());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + cfg.schema());
    }
    return c;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
