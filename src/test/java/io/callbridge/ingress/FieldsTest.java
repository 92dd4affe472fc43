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
}
