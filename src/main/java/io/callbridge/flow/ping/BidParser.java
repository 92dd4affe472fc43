package io.callbridge.flow.ping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
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
  private static final JsonFactory JSON = new JsonFactory();

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
    // Streamed, not bound to a JsonObject: this runs once per target per ping.
    Fields f = new Fields();
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "bidId" -> f.bidId = scalar(p, t);
          case "bidAmount" -> f.amount = number(p, t, "bidAmount");
          case "expireInSeconds" -> f.expireIn = number(p, t, "expireInSeconds");
          case "bidExpireEpoch" -> f.epoch = number(p, t, "bidExpireEpoch");
          case "phoneNumber" -> f.phone = scalar(p, t);
          case "phoneNumberNoPlus" -> f.phoneNoPlus = scalar(p, t);
          case "sipAddress" -> f.sip = scalar(p, t);
          case "rejectReason" -> f.reason = scalar(p, t);
          case "rejectCode", "code" -> {
            if (t == JsonToken.VALUE_NUMBER_INT && f.code == 0) {
              f.code = p.getIntValue();
            } else {
              p.skipChildren();
            }
          }
          case "warnings" -> f.cached |= warns230(p, t);
          default -> {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
              p.skipChildren();
            } else if (!KNOWN.contains(name) && t != JsonToken.VALUE_NULL) {
              if (f.extras == null) {
                f.extras = new LinkedHashMap<>();
              }
              f.extras.put(name, t == JsonToken.VALUE_STRING ? p.getText()
                  : t.isNumeric() ? p.getNumberValue() : t == JsonToken.VALUE_TRUE);
            }
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Invalid("malformed JSON");
      }
    } catch (IOException | RuntimeException e) {
      throw new Invalid("malformed JSON");
    }
    return f.bid(receivedAtMs);
  }

  /** The fields of one answer as they stream by. */
  private static final class Fields {
    String bidId = "";
    double amount = Double.NaN;
    double expireIn = -1;
    double epoch = -1;
    String phone = "";
    String phoneNoPlus = "";
    String sip = "";
    String reason = "";
    int code;
    boolean cached;
    Map<String, Object> extras;

    Bid bid(long receivedAtMs) throws Invalid {
      if (Double.isNaN(amount) && !reason.isEmpty()) {
        amount = 0;
      }
      if (Double.isNaN(amount) || amount < 0 || Double.isInfinite(amount)) {
        throw new Invalid("bidAmount missing or not a positive number");
      }
      int rejectCode = code != 0 ? code : codeIn(reason);
      if (amount == 0 || !reason.isEmpty()) {
        return new Bid(bidId, 0, "", "", -1, -1, receivedAtMs, false, reason, rejectCode, Map.of());
      }
      String number = !phone.isEmpty() ? phone : phoneNoPlus.isEmpty() ? "" : "+" + phoneNoPlus;
      if (number.isEmpty()) {
        throw new Invalid("accepted bid without phoneNumber");
      }
      if (bidId.isEmpty()) {
        throw new Invalid("accepted bid without bidId");
      }
      if (expireIn < 0 && epoch <= 0) {
        throw new Invalid("accepted bid without expireInSeconds or bidExpireEpoch");
      }
      return new Bid(bidId, amount, number, sip, (long) expireIn, (long) epoch, receivedAtMs, cached, "", 0,
          extras == null ? Map.of() : extras);
    }
  }

  private static boolean warns230(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return false;
    }
    boolean found = false;
    JsonToken item;
    while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
      if (item == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if ("code".equals(name) && v == JsonToken.VALUE_NUMBER_INT && p.getIntValue() == CACHED_WARNING) {
            found = true;
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return found;
  }

  private static String scalar(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING || t.isNumeric() || t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return p.getText().trim();
    }
    p.skipChildren();
    return "";
  }

  private static double number(JsonParser p, JsonToken t, String field) throws IOException, Invalid {
    if (t.isNumeric()) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_NULL) {
      return Double.NaN;
    }
    if (t == JsonToken.VALUE_STRING && !p.getText().isBlank()) {
      try {
        return Double.parseDouble(p.getText().trim());
      } catch (NumberFormatException e) {
        throw new Invalid(field + " is not a number");
      }
    }
    throw new Invalid(field + " is not a number");
  }

  /** The first 4-digit number in a reject reason ("1003 - No capacity", "… (Code: 1100)"), else 0. */
  static int codeIn(String reason) {
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
}
