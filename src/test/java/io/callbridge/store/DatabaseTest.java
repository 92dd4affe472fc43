package io.callbridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  static PostgresConfig db;

  @BeforeAll
  static void schema() {
    db = TestDb.freshSchema(DatabaseTest.class);
  }

  @AfterAll
  static void drop() {
    TestDb.drop(db);
  }

  @Test
  void migrationsApplyToAnEmptySchemaAndReapplyAsANoOp() throws Exception {
    MigrateResult first = Database.migrate(db);
    assertThat(first.migrationsExecuted).isGreaterThanOrEqualTo(1);
    assertThat(first.success).isTrue();
    String version = first.targetSchemaVersion;

    MigrateResult again = Database.migrate(db);
    assertThat(again.migrationsExecuted).isZero();
    assertThat(again.success).isTrue();

    try (Connection c = TestDb.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*), max(version::int) FROM flyway_schema_history WHERE success")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(first.migrationsExecuted);
      assertThat(String.valueOf(rs.getInt(2))).isEqualTo(version);
    }
  }

  @Test
  void migrationAgainstAnAbsentServerSaysWhatToDo() {
    PostgresConfig nowhere = db.withEndpoint("127.0.0.1", 1);
    assertThatThrownBy(() -> Database.migrate(nowhere))
        .hasMessageContaining("cannot migrate PostgreSQL at 127.0.0.1:1")
        .hasMessageContaining("bin/callbridge db");
  }
}
