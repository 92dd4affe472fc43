package io.callbridge.store;

import io.callbridge.config.PostgresConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * PostgreSQL for CallBridge: Flyway migrations (blocking JDBC, run once at start-up before any
 * server listens) and the reactive pool every store uses afterwards.
 */
public final class Database {
  private final PostgresConfig config;
  private final Pool pool;

  private Database(PostgresConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  /**
   * Applies the migrations in {@code db/migration}. Blocking: call it from main or a worker,
   * never from an event loop. Throws with an operator-readable message when the database is away.
   */
  public static MigrateResult migrate(PostgresConfig config) {
    try {
      return flyway(config).migrate();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot migrate PostgreSQL at " + config.host() + ":" + config.port() + "/"
          + config.database() + " as " + config.user() + ": " + rootMessage(e)
          + " (is it running? `bin/callbridge db` starts it and creates the database)", e);
    }
  }

  static Flyway flyway(PostgresConfig config) {
    return Flyway.configure()
        .dataSource(config.jdbcUrl(), config.user(), config.password().value())
        .schemas(config.schema())
        .defaultSchema(config.schema())
        .createSchemas(true)
        .locations("classpath:db/migration")
        .connectRetries(0)
        .load();
  }

  /** How to reach the database as {@code applicationName} (shown in pg_stat_activity), in the configured schema. */
  public static PgConnectOptions connectOptions(PostgresConfig config, String applicationName) {
    return new PgConnectOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setDatabase(config.database())
        .setUser(config.user())
        .setPassword(config.password().value())
        .setProperties(Map.of("search_path", config.schema(), "application_name", applicationName,
            // The deployment this connection's rows belong to (outbox.deployment takes it; claims filter on it).
            "callbridge.deployment", config.deployment()));
  }

  public static Database open(Vertx vertx, PostgresConfig config) {
    PgConnectOptions connect = connectOptions(config, "callbridge")
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    PoolOptions poolOptions = new PoolOptions()
        .setMaxSize(config.poolSize())
        .setMaxWaitQueueSize(10_000)
        .setConnectionTimeout(5)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS)
        .setShared(false)
        .setName("callbridge-pg");
    Pool pool = PgBuilder.pool().with(poolOptions).connectingTo(connect).using(vertx).build();
    return new Database(config, pool);
  }

  public Pool pool() {
    return pool;
  }

  public PostgresConfig config() {
    return config;
  }

  /** Readiness: the database answers and reports the schema version Flyway applied last. */
  public Future<JsonObject> readiness() {
    return pool.query("SELECT max(version::int) AS version FROM flyway_schema_history WHERE success")
        .execute()
        .map(rows -> {
          Row row = rows.iterator().next();
          Integer version = row.getInteger("version");
          return new JsonObject().put("postgres", "up").put("migration", version == null ? "none" : version.toString());
        });
  }

  public Future<Void> close() {
    return pool.close();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
