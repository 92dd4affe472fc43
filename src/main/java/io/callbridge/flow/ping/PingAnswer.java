package io.callbridge.flow.ping;

import io.callbridge.config.PingSettings;
import io.callbridge.flow.ping.TargetResult.Result;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer TrackDrive's PING buyer setting reads, HTTP 200 either way. Accepted: the number to
 * transfer to (in the route's format), bid amount, duration, expiry, bid id and attributes (the
 * route's, then what the bid returned). Not accepted: the reason and what each target said.
 */
final class PingAnswer {
  private final PingSettings settings;

  PingAnswer(PingSettings settings) {
    this.settings = settings;
  }

  JsonObject accepted(TargetResult winner, boolean cached, long nowMs) {
    Bid bid = winner.bid();
    long expiresAt = bid.expiresAtMs();
    JsonObject answer = new JsonObject(new LinkedHashMap<>(16))
        .put("accepted", true)
        .put("cached", cached)
        .put("phone_number", number(bid.phoneNumber(), settings.numberFormat()))
        .put("bid_amount", bid.amount())
        .put("duration", settings.conversionSeconds())
        .put("expires_in", Math.max(0, (expiresAt - nowMs) / 1000))
        .put("expires_at", Instant.ofEpochMilli(expiresAt).toString())
        .put("bid_id", bid.bidId())
        .put("target", winner.target());
    if (!bid.sipAddress().isEmpty()) {
      answer.put("sip_address", bid.sipAddress());
    }
    Map<String, Object> attributes = new LinkedHashMap<>(settings.attributes());
    attributes.putAll(bid.extras());
    answer.put("attributes", new JsonObject(attributes));
    return answer;
  }

  JsonObject notAccepted(Selection.Outcome outcome) {
    JsonArray targets = new JsonArray();
    for (TargetResult r : outcome.results()) {
      JsonObject t = new JsonObject(new LinkedHashMap<>(8)).put("target", r.target()).put("result", r.result().word);
      if (r.bid() != null && r.bid().amount() > 0) {
        t.put("bid_amount", r.bid().amount());
      }
      if (r.result() == Result.REJECTED && r.bid().rejectCode() != 0) {
        t.put("reject_code", r.bid().rejectCode());
      }
      if (!r.detail().isEmpty()) {
        t.put("detail", r.detail());
      }
      t.put("latency_ms", r.latencyNanos() / 1_000_000);
      targets.add(t);
    }
    return new JsonObject(new LinkedHashMap<>(8))
        .put("accepted", false)
        .put("cached", false)
        .put("reason", outcome.reason().word)
        .put("targets", targets);
  }

  /** The bid's number as the route's buyer setting expects it. Ringba sends E.164 ({@code +17733408913}). */
  static String number(String e164, String format) {
    String digits = e164.startsWith("+") ? e164.substring(1) : e164;
    return switch (format) {
      case "digits11" -> digits;
      case "digits10" -> digits.length() == 11 && digits.charAt(0) == '1' ? digits.substring(1) : digits;
      default -> "+" + digits;
    };
  }
}
