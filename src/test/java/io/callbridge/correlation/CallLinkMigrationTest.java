package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CorrelationConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.metrics.Metrics;
import io.callbridge.store.Database;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** V13 makes call_link append-only and partitioned, V14 gives its days partitions: every link written under V12 is kept. */
class CallLinkMigrationTest {
  @Test
  void linksWrittenBeforeTheAppendOnlyTableAreFoundAfterIt() {
    PostgresConfig pg = TestDb.freshSchema(CallLinkMigrationTest.class);
    Vertx vertx = Vertx.vertx();
    try {
      Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password().value()).schemas(pg.schema())
          .defaultSchema(pg.schema()).createSchemas(true).locations("classpath:db/migration").target("12").load().migrate();
      // Two rows of one ping's call as V12's upsert wrote them (each carrying the whole record).
      String seen = "'{\"call_uuid\":[\"td-ping\",1764244800000],\"bidId\":[\"td-ping\",1764244800000],"
          + "\"caller_id\":[\"td-ping\",1764244800000]}'::jsonb";
      for (String key : new String[] {"1, 'TD-MIG-1'", "3, 'RTB-MIG-1'"}) {
        TestDb.exec(pg, "INSERT INTO call_link (kind, id, call_uuid, subdomain, bid_id, bid_amount, bid_expires_at, "
            + "caller_id, first_seen, last_seen, seen) VALUES (" + key + ", 'TD-MIG-1', 'acme', 'RTB-MIG-1', 4.2, "
            + "'2026-11-27T12:01:00Z', '+15550009999', '2026-11-27T12:00:00Z', '2026-11-27T12:00:00Z', " + seen + ")");
      }
      Database.migrate(pg);
      // V14 gave the kept links' day a partition of its own: the default partition stays empty.
      assertThat(TestDb.count(pg, "SELECT count(*) FROM call_link_20261127")).isEqualTo(2);
      assertThat(TestDb.count(pg, "SELECT count(*) FROM call_link_default")).isZero();
      Database db = Database.open(vertx, pg);
      TestClock clock = TestClock.at(Instant.parse("2026-11-27T12:00:30Z"));
      Correlation c = Correlation.create(vertx, db.pool(), new CorrelationConfig(1_000, Duration.ofHours(48),
          Duration.ofHours(2), 100, Duration.ofMillis(20), 1_000, Duration.ofDays(35), Duration.ofHours(1), 1, 500),
          new Metrics(), clock);
      c.start().await();
      CallRecord byBid = c.find(IdKind.BID_ID, "RTB-MIG-1").await().orElseThrow();
      assertThat(byBid.callUuid()).contains("TD-MIG-1");
      assertThat(byBid.subdomain()).contains("acme");
      assertThat(byBid.bidAmount().getAsDouble()).isEqualTo(4.2);
      assertThat(byBid.sighting(IdKind.CALL_UUID).orElseThrow().route()).isEqualTo("td-ping");
      assertThat(c.match(IdKind.CALLER_ID, "+15550009999", IdKind.CALL_UUID).await())
          .isInstanceOfSatisfying(CallMatch.Found.class, f -> assertThat(f.call().callUuid()).contains("TD-MIG-1"));
      c.close().await();
      db.close().await();
    } finally {
      vertx.close().await();
      TestDb.drop(pg);
    }
  }
}
