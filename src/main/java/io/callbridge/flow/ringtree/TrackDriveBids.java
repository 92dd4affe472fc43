package io.callbridge.flow.ringtree;

import io.callbridge.upstream.Outcome;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TrackDrive's answer to an inbound PING (TrackDrive "Ping/Post Integration Guide"):
 * {@code {"status":"success","try_all_buyers_ping_id":"…","buyers":[{"buyer_id":1,"name":"Buyer A",
 * "bid":25.00,"ping_id":"…"}]}}. Whatever the bytes are, the result is a {@link Answer}: buyers, no
 * buyer, a refusal with TrackDrive's errors, or what kept the target from answering.
 */
final class TrackDriveBids {
  private TrackDriveBids() {}

  /** One matched buyer: its bid is kept as TrackDrive wrote it (no double in between). */
  record Buyer(String buyerId, String name, BigDecimal bid, String pingId) {}

  /** A target's verdict, in the words of the bids metric. */
  record Answer(String result, List<Buyer> buyers, String tryAllId, String detail, long latencyMs) {
    boolean hasBuyers() {
      return !buyers.isEmpty();
    }
  }

  static Answer read(Outcome outcome) {
    long ms = outcome.latency().toMillis();
    if (outcome instanceof Outcome.Ok ok) {
      JsonObject body;
      try {
        body = ok.body() == null || ok.body().length() == 0 ? null : new JsonObject(ok.body());
      } catch (RuntimeException e) {
        return new Answer("invalid_response", List.of(), null, "not a JSON object", ms);
      }
      if (body == null) {
        return new Answer("invalid_response", List.of(), null, "empty body", ms);
      }
      return read(body, ms);
    }
    String result = switch (outcome.kind()) {
      case TIMEOUT, CANCELLED -> "timeout";
      case OK, INVALID_RESPONSE -> "invalid_response";
      default -> outcome.kind().label();
    };
    String detail = outcome instanceof Outcome.HttpError err ? "HTTP " + err.status()
        : outcome instanceof Outcome.Refused ref ? ref.detail()
        : outcome instanceof Outcome.InvalidResponse inv ? inv.detail() : "";
    return new Answer(result, List.of(), null, detail, ms);
  }

  static Answer read(JsonObject body, long ms) {
    Object rawBuyers = body.getValue("buyers");
    String tryAll = text(body.getValue("try_all_buyers_ping_id"));
    String status = text(body.getValue("status"));
    List<Buyer> buyers = new ArrayList<>();
    if (rawBuyers instanceof JsonArray list) {
      for (Object o : list) {
        if (!(o instanceof JsonObject b)) {
          return new Answer("invalid_response", List.of(), tryAll, "buyers: not a list of objects", ms);
        }
        String pingId = text(b.getValue("ping_id"));
        BigDecimal bid = decimal(b.getValue("bid"));
        if (pingId == null || bid == null) {
          return new Answer("invalid_response", List.of(), tryAll,
              "buyers: an entry without " + (pingId == null ? "ping_id" : "a decimal bid"), ms);
        }
        buyers.add(new Buyer(text(b.getValue("buyer_id")), text(b.getValue("name")), bid, pingId));
      }
    } else if (rawBuyers != null) {
      return new Answer("invalid_response", List.of(), tryAll, "buyers: not a list", ms);
    }
    if (!buyers.isEmpty()) {
      return new Answer("accepted", List.copyOf(buyers), tryAll, "", ms);
    }
    Object errors = body.getValue("errors");
    String why = errors instanceof JsonArray a && !a.isEmpty() ? a.encode()
        : errors instanceof JsonObject o && !o.isEmpty() ? o.encode() : "";
    boolean refused = status != null && !status.equals("success") && !why.isEmpty();
    return new Answer(refused ? "rejected" : "no_bid", List.of(), tryAll, why, ms);
  }

  static String text(Object v) {
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? null : s;
  }

  static BigDecimal decimal(Object v) {
    if (v instanceof Number || v instanceof String) {
      try {
        return new BigDecimal(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
