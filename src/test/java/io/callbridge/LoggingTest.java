package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoggingTest {
  final TimeZone zone = TimeZone.getDefault();

  @AfterEach
  void restoreZone() {
    TimeZone.setDefault(zone);
  }

  static LogRecord access() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("route", "ringba-payout");
    fields.put("status", 202);
    fields.put("ms", 1.4);
    fields.put("request_id", "td-123");
    fields.put("call_id", "CA-1");
    fields.put("token", "route");
    LogRecord r = new LogRecord(Level.INFO, "POST /v1/postbacks/ringba-payout route=ringba-payout status=202 {0}");
    r.setLoggerName("callbridge.access");
    r.setParameters(new Object[] {fields});
    r.setInstant(Instant.parse("2026-12-02T16:53:48.123Z"));
    return r;
  }

  @Test
  void timestampsAreUtcWhateverTheMachinesZone() {
    TimeZone.setDefault(TimeZone.getTimeZone("America/Chicago"));
    assertThat(new Logging.TextLines().format(access())).startsWith("2026-12-02T16:53:48.123Z INFO    callbridge.access - ");
    assertThat(new JsonObject(new Logging.JsonLines().format(access())).getString("ts"))
        .isEqualTo("2026-12-02T16:53:48.123Z");
  }

  @Test
  void jsonLinesCarryARecordsFieldsAsKeysAndTheMessageAsWritten() {
    String line = new Logging.JsonLines().format(access());
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("logger")).isEqualTo("callbridge.access");
    assertThat(json.getString("msg")).isEqualTo("POST /v1/postbacks/ringba-payout route=ringba-payout status=202 {0}");
    assertThat(json.getInteger("status")).isEqualTo(202);
    assertThat(json.getString("call_id")).isEqualTo("CA-1");
    assertThat(json.getString("token")).isEqualTo("route");
  }

  @Test
  void anErrorsStackIsOneJsonValueNotManyLines() {
    LogRecord r = new LogRecord(Level.SEVERE, "request x failed");
    r.setLoggerName("io.callbridge.ingress.IngressRouter");
    r.setThrown(new IllegalStateException("boom"));
    String line = new Logging.JsonLines().format(r);
    assertThat(line.strip()).doesNotContain("\n");
    assertThat(new JsonObject(line).getString("stack")).contains("IllegalStateException: boom").contains("LoggingTest");
  }
}
