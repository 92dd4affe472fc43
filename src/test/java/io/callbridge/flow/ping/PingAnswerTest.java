package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PingSettings;
import io.callbridge.ingress.Reply;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The default accepted answer is written straight to bytes by {@code JsonText}: the same JSON the
 * codec makes of its map (value for value), and every string round-trips.
 */
class PingAnswerTest {
  static final long NOW = 1_767_225_600_000L;

  static PingSettings settings(Map<String, String> attributes, String format) {
    return new PingSettings(0, 15, 90, format, attributes, true, "", PingSettings.DEFAULT_SHIELD_IGNORE, 1000,
        java.util.List.of(), "duration", false);
  }

  static TargetResult winner(double amount, String sip, Map<String, Object> extras) {
    Bid bid = new Bid("RTB\"quoted\\id", amount, "+17733408913", sip, 60, -1, NOW - 1500, false, "", 0, extras);
    return new TargetResult(0, "buyer-\u00e9\u4e2d", TargetResult.Result.ACCEPTED, bid, "", 200, 1_000_000);
  }

  static void assertSameJsonAsTheCodec(PingAnswer answer, TargetResult winner, boolean cached) {
    Reply reply = answer.accepted(null, winner, cached, NOW);
    assertThat(reply.bytes()).as("written straight to bytes").isNotNull();
    JsonObject expected = new JsonObject(PingAnswer.wrap(answer.acceptedMap(winner, cached, NOW)));
    assertThat(new JsonObject(reply.wire())).isEqualTo(expected);
    assertThat(new JsonObject(reply.wire()).fieldNames()).containsExactlyElementsOf(expected.fieldNames());
    assertThat(reply.body()).isEqualTo(expected);
  }

  @Test
  void plainBidWithRouteAttributes() {
    PingAnswer answer = new PingAnswer(settings(Map.of("buyer", "acme", "tier", "gold"), "e164"), null);
    assertSameJsonAsTheCodec(answer, winner(4.2, "", Map.of()), false);
    assertSameJsonAsTheCodec(answer, winner(12.0, "x@sip.example", Map.of()), true);
    assertSameJsonAsTheCodec(answer, winner(1.0E7, "", Map.of()), false);
    assertSameJsonAsTheCodec(answer, winner(0.0001, "", Map.of()), false);
  }

  @Test
  void aNonFiniteAmountIsStillJson() {
    PingAnswer answer = new PingAnswer(settings(Map.of(), "e164"), null);
    Reply reply = answer.accepted(null, winner(Double.NaN, "", Map.of()), false, NOW);
    assertThat(new JsonObject(reply.wire()).getValue("bid_amount")).isEqualTo("NaN");
  }

  @Test
  void aLoneSurrogateRoundTripsWhereTheCodecWritesAQuestionMark() {
    PingAnswer answer = new PingAnswer(settings(Map.of("note", "a\ud800b"), "e164"), null);
    Reply reply = answer.accepted(null, winner(4.2, "", Map.of()), false, NOW);
    assertThat(reply.wire().toString()).contains("a\\ud800b");
    assertThat(new JsonObject(reply.wire()).getJsonObject("attributes").getString("note")).isEqualTo("a\ud800b");
  }

  @Test
  void bidExtrasOfEveryShapeAndStringsThatNeedEscaping() {
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("note", "line1\nline2\t\"q\" \\ \u0001\u001f \u2028 /slash");
    extras.put("count", 3);
    extras.put("big", 12345678901L);
    extras.put("ratio", 0.25);
    extras.put("exact", new BigDecimal("1.10"));
    extras.put("flag", true);
    extras.put("none", null);
    extras.put("nested", Map.of("a", List.of(1, "two")));
    extras.put("list", List.of("x", 2.5));
    PingAnswer answer = new PingAnswer(settings(Map.of("buyer", "acme"), "digits10"), null);
    assertSameJsonAsTheCodec(answer, winner(4.25, "sip:\u00fc@x", extras), false);
  }

  @Test
  void aBidAttributeOverridesTheRouteAttributeOfTheSameName() {
    PingAnswer answer = new PingAnswer(settings(Map.of("tier", "gold"), "digits11"), null);
    Reply reply = answer.accepted(null, winner(4.2, "", Map.of("tier", "platinum")), false, NOW);
    assertThat(reply.body().getJsonObject("attributes").getString("tier")).isEqualTo("platinum");
    assertThat(reply.body().getString("phone_number")).isEqualTo("17733408913");
    assertSameJsonAsTheCodec(answer, winner(4.2, "", Map.of("tier", "platinum")), false);
  }

  @Test
  void expiryIsWrittenAsInstantWritesIt() {
    java.util.Random random = new java.util.Random(7);
    List<Long> samples = new java.util.ArrayList<>(List.of(0L, 999L, 1000L, 4_102_444_800_000L, 253_402_300_799_999L,
        253_402_300_800_000L, -1L, 951_782_400_000L /* 2000-02-29 */, 1_767_225_599_500L));
    for (int i = 0; i < 20_000; i++) {
      samples.add(random.nextLong(5_000_000_000_000L));
    }
    for (long ms : samples) {
      assertThat(PingAnswer.isoInstant(ms)).as("%d", ms).isEqualTo(java.time.Instant.ofEpochMilli(ms).toString());
    }
  }
}
