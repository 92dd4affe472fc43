package io.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which values are a platform's token left unfilled, and what the edge takes out of the fields. */
class FieldsTest {
  @Test
  void unfilledTokensOfEitherPlatformAreRecognised() {
    for (String token : List.of("[ringba_call_uuid]", "[tag:User:trackdrive_call_uuid]", "[Call:InboundCallId]",
        "[tag:InboundNumber:Number-NoPlus]", "[caller_id]{}", "[zip]{60601}", "{payout}", "{{call_uuid}}",
        " [call_uuid] ", "[tag:Address:Zip 5]")) {
      assertThat(Fields.unresolvedToken(token)).as(token).isTrue();
    }
    for (String value : List.of("RGB3B0001", "12.50", "[]", "[1,2]", "[555] 123-4567", "a[b]", "[x][y]",
        "{\"a\":1}", "[call_uuid]tail", "+15557779999", "{}", "[ ]")) {
      assertThat(Fields.unresolvedToken(value)).as(value).isFalse();
    }
  }

  @Test
  void blanksAndUnfilledTokensLeaveTheFieldsAndAreReported() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("ringba_call_uuid", "[ringba_call_uuid]");
    fields.put("payout", "12.50");
    fields.put("zip", "   ");
    fields.put("count", 3);
    fields.put("data", Map.of("inner", "[kept]"));
    Map<String, String> unresolved = Fields.dropUnfilled(fields);
    assertThat(fields).containsOnlyKeys("payout", "count", "data");
    assertThat(unresolved).containsExactly(Map.entry("ringba_call_uuid", "[ringba_call_uuid]"));
  }

  static String refusedField(String query, String type, byte[] body) {
    try {
      Fields.parse(query, type, io.vertx.core.buffer.Buffer.buffer(body));
      return null;
    } catch (Fields.Malformed e) {
      return e.field + ": " + e.getMessage();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void badBytesStopAtTheEdgeNamingTheField() {
    // A lone surrogate as raw bytes (ED A0 80): not UTF-8.
    byte[] lone = {'{', '"', 'p', 'a', 'y', 'o', 'u', 't', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'};
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/json", lone))
        .startsWith("body: ").contains("not valid UTF-8");
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/json", bytes("{\"payout\":\"1\\u0000\"}")))
        .startsWith("payout: ").contains("NUL");
    org.assertj.core.api.Assertions.assertThat(refusedField("payout=1%00", "", new byte[0])).startsWith("payout: ");
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/json", bytes("{\"note\":\"\\ud800\"}")))
        .startsWith("note: ").contains("surrogate");
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/json",
        bytes("{\"tags\":{\"deep\":[\"ok\",\"\\u0000\"]}}"))).startsWith("tags: ");
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/x-www-form-urlencoded",
        bytes("a=%ED%A0%80"))).as("a percent-encoded lone surrogate decodes to no character").isNotNull();
    org.assertj.core.api.Assertions.assertThat(refusedField("", "application/json",
        bytes("{\"ok\":\"caf\u00e9 \ud83d\ude00\"}"))).as("real characters pass, pairs included").isNull();
  }
}
