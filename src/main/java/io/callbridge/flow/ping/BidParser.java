package io.callbridge.flow.ping;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Ringba RTB answer defensively: whatever the bytes are, the result is a {@link Bid} or
 * an {@link Invalid} with the reason — never an exception. Numbers sent as strings are accepted
 * (public clients have seen both); anything that cannot be a bid is {@code invalid_response}.
 */
final class BidParser {
  private static final Set<String> KNOWN = Set.of("bidId", "bidAmount", "expireInSeconds", "bidExpireDT",
      "bidExpireEpoch", "phoneNumber", "phoneNumberNoPlus", "sipAddress", "warnings", "rejectReason", "rejectCode",
      "code", "status", "message");
  static final int CACHED_WARNING = 230;

  private BidParser() {}

  /** Why an answer is not a bid; becomes the target's {@code invalid_response} detail. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  static Bid parse(Buffer body, long receivedAtMs) throws Invalid {
    if (body == null || body.length() == 0) {
      throw new Invalid("empty body");
    }
    JsonObject json;
    try {
      Object v = body.toJsonValue();
      if (!(v instanceof JsonObject o)) {
        throw new Invalid("not a JSON object");
      }
      json = o;
    } catch (Invalid e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Invalid("malformed JSON");
    }
    String reason = text(json.getValue("rejectReason"));
    double amount = number(json.getValue("bidAmount"), reason.isEmpty() ? Double.NaN : 0.0, "bidAmount");
    if (Double.isNaN(amount) || amount < 0 || Double.isInfinite(amount)) {
      throw new Invalid("bidAmount missing or not a positive number");
    }
    String bidId = text(json.getValue("bidId"));
    int code = rejectCode(json, reason);
    if (amount == 0 || !reason.isEmpty()) {
      return new Bid(bidId, 0, "", "", -1, -1, receivedAtMs, false, reason, code, Map.of());
    }
    String phone = text(json.getValue("phoneNumber"));
    if (phone.isEmpty()) {
      String noPlus = text(json.getValue("phoneNumberNoPlus"));
      phone = noPlus.isEmpty() ? "" : "+" + noPlus;
    }
    if (phone.isEmpty()) {
      throw new Invalid("accepted bid without phoneNumber");
    }
    if (bidId.isEmpty()) {
      throw new Invalid("accepted bid without bidId");
    }
    long expireIn = (long) number(json.getValue("expireInSeconds"), -1, "expireInSeconds");
    long epoch = (long) number(json.getValue("bidExpireEpoch"), -1, "bidExpireEpoch");
    if (expireIn < 0 && epoch <= 0) {
      throw new Invalid("accepted bid without expireInSeconds or bidExpireEpoch");
    }
    return new Bid(bidId, amount, phone, text(json.getValue("sipAddress")), expireIn, epoch, receivedAtMs,
        cached(json.getValue("warnings")), "", 0, extras(json));
  }

  private static boolean cached(Object warnings) {
    if (warnings instanceof JsonArray list) {
      for (Object w : list) {
        if (w instanceof JsonObject o && o.getValue("code") instanceof Number n && n.intValue() == CACHED_WARNING) {
          return true;
        }
      }
    }
    return false;
  }

  /** What the bid returned beyond Ringba's known fields (scalars only): passed on as attributes. */
  private static Map<String, Object> extras(JsonObject json) {
    Map<String, Object> out = null;
    for (Map.Entry<String, Object> e : json) {
      Object v = e.getValue();
      if (!KNOWN.contains(e.getKey()) && (v instanceof String || v instanceof Number || v instanceof Boolean)) {
        if (out == null) {
          out = new LinkedHashMap<>();
        }
        out.put(e.getKey(), v);
      }
    }
    return out == null ? Map.of() : out;
  }

  /** A numeric {@code rejectCode}/{@code code}, else the first 4-digit number in the reason ("1003 - No capacity"). */
  static int rejectCode(JsonObject json, String reason) {
    for (String key : new String[] {"rejectCode", "code"}) {
      Object v = json.getValue(key);
      if (v instanceof Number n) {
        return n.intValue();
      }
    }
    int run = 0;
    for (int i = 0; i <= reason.length(); i++) {
      char c = i < reason.length() ? reason.charAt(i) : ' ';
      if (c >= '0' && c <= '9') {
        run++;
      } else {
        if (run == 4) {
          return Integer.parseInt(reason, i - 4, i, 10);
        }
        run = 0;
      }
    }
    return 0;
  }

  private static String text(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof String s) {
      return s.trim();
    }
    if (v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    return "";
  }

  private static double number(Object v, double absent, String field) throws Invalid {
    if (v == null) {
      return absent;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s && !s.isBlank()) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new Invalid(field + " is not a number");
      }
    }
    throw new Invalid(field + " is not a number");
  }
}
