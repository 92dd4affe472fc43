package io.callbridge.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/** TrackDrive's Leads API, call update and ping endpoint, answering in TrackDrive's wire format. */
final class TrackDriveEndpoints {
  private static final Set<String> RESERVED = Set.of("lead_token", "traffic_source_id", "caller_id", "data", "auth_token");

  private final SimState state;
  private final Clock clock;

  TrackDriveEndpoints(SimState state, Clock clock) {
    this.state = state;
    this.clock = clock;
  }

  /** Posting instructions are checked exactly; any non-reserved key becomes a token on the lead. */
  void lead(SimRequest ex, SplittableRandom r, String subdomain, SimConfig.Company company) {
    JsonObject errors = new JsonObject();
    String token = ex.text("lead_token");
    String source = ex.text("traffic_source_id");
    if (token == null) {
      errors.put("lead_token", new JsonArray().add("can't be blank"));
    }
    if (source == null) {
      errors.put("traffic_source_id", new JsonArray().add("can't be blank"));
    }
    if (token != null) {
      Optional<SimConfig.PostingInstruction> pi = company.postingInstructions().stream()
          .filter(p -> p.leadToken().equals(token)).findFirst();
      if (pi.isEmpty()) {
        errors.put("lead_token", new JsonArray().add("is invalid"));
      } else if (source != null && !pi.get().trafficSourceId().equals(source)) {
        errors.put("traffic_source_id", new JsonArray().add("does not match the offer's posting instructions"));
      }
    }
    String rawCaller = ex.text("caller_id");
    Optional<String> caller = Phone.e164(rawCaller);
    if (rawCaller == null) {
      errors.put("caller_id", new JsonArray().add("can't be blank"));
    } else if (caller.isEmpty()) {
      errors.put("caller_id", new JsonArray().add("is not a valid phone number"));
    }
    if (!errors.isEmpty()) {
      ex.reply(422, new JsonObject().put("status", "error").put("errors", errors),
          "rejected: " + String.join(", ", errors.fieldNames()));
      return;
    }
    JsonObject data = new JsonObject();
    Object given = ex.params().getValue("data");
    if (given instanceof JsonObject d) {
      data.mergeIn(d);
    }
    ex.params().forEach(e -> {
      if (!RESERVED.contains(e.getKey())) {
        data.put(e.getKey(), e.getValue());
      }
    });
    JsonObject lead = state.lead(subdomain, new JsonObject()
        .put("uuid", "LD" + Dice.hex(r, 24))
        .put("subdomain", subdomain)
        .put("caller_id", caller.get())
        .put("traffic_source_id", source)
        .put("data", data)
        .put("created_at", clock.instant().toString()));
    ex.reply(200, new JsonObject().put("status", "success").put("lead", lead),
        "lead " + lead.getString("uuid") + " for " + caller.get());
  }

  /** Absolute call update behind Basic auth (or the company's auth_token in the body). */
  void updateCall(SimRequest ex, SplittableRandom r, String subdomain, SimConfig.Company company) {
    if (!authorized(ex, company)) {
      ex.reply(401, new JsonObject().put("status", "error")
          .put("errors", new JsonObject().put("base", new JsonArray().add("Invalid API credentials"))),
          "unauthorized", Map.of("WWW-Authenticate", "Basic realm=\"TrackDrive API\""));
      return;
    }
    String uuid = ex.pathParam("callUuid");
    if (!company.knownCallIds().known(uuid, state::seen)) {
      ex.reply(404, new JsonObject().put("status", "error")
          .put("errors", new JsonObject().put("call", new JsonArray().add("not found"))), "unknown call " + uuid);
      return;
    }
    JsonObject update = new JsonObject();
    ex.params().forEach(e -> {
      if (!e.getKey().equals("auth_token")) {
        update.put(e.getKey(), e.getValue());
      }
    });
    // TrackDrive's API reference types these (calls/update): decimals and booleans (1, true, yes, on,
    // 0, false, no, off). A value that is neither is refused — TrackDrive can refuse with HTTP 200 and
    // "status":"error", which a gateway must not take for a delivery.
    JsonObject errors = new JsonObject();
    for (String money : MONEY) {
      if (update.containsKey(money) && !decimal(update.getValue(money))) {
        errors.put(money, new JsonArray().add("must be a decimal number, got '" + update.getValue(money) + "'"));
      }
    }
    for (String flag : FLAGS) {
      if (update.containsKey(flag) && bool(update.getValue(flag)) == null) {
        errors.put(flag, new JsonArray().add("must be a boolean value, got '" + update.getValue(flag) + "'"));
      }
    }
    if (!errors.isEmpty()) {
      ex.reply(200, new JsonObject().put("status", "error").put("errors", errors),
          "refused in a 200: " + String.join(", ", errors.fieldNames()));
      return;
    }
    for (String flag : FLAGS) {
      if (update.containsKey(flag)) {
        update.put(flag, bool(update.getValue(flag)));
      }
    }
    JsonObject call = state.updateCall(subdomain, uuid, update.put("updated_at", clock.instant().toString()));
    ex.reply(200, new JsonObject().put("status", "success").put("call", call),
        "updated " + uuid + " converted=" + update.getValue("buyer_converted") + " revenue=" + update.getValue("revenue")
            + " payout=" + update.getValue("payout"));
  }

  /**
   * TrackDrive as the pinged side, as its "Ping/Post Integration Guide" shows: the matched buyers
   * ({@code buyer_id, name, bid, ping_id}) and a {@code try_all_buyers_ping_id}, or no buyer. The
   * ping is remembered for {@code pingSeconds}: the post step must name one of its ping ids.
   */
  void ping(SimRequest ex, SplittableRandom r, String subdomain, String vanity, SimConfig.Ping profile) {
    String tryAll = Dice.hex(r, 24);
    long expires = clock.millis() + profile.pingSeconds() * 1000L;
    if (r.nextDouble() < profile.noBidRate()) {
      ex.reply(200, new JsonObject().put("status", "success").put("try_all_buyers_ping_id", tryAll)
          .put("buyers", new JsonArray()).put("errors", new JsonArray()), "no buyer");
      return;
    }
    double bid = profile.bid().sample(r);
    String pingId = Dice.hex(r, 24);
    JsonObject buyer = new JsonObject().put("buyer_id", 1).put("name", "Buyer A").put("bid", bid).put("ping_id", pingId);
    JsonObject held = new JsonObject().put("subdomain", subdomain).put("vanity", vanity)
        .put("caller_id", digits(ex.text("caller_id"))).put("expires_ms", expires).put("buyer_id", "1")
        .put("ping_id", pingId).put("try_all_buyers_ping_id", tryAll).put("data", ex.params().copy());
    state.ping(pingId, held);
    state.ping(tryAll, held);
    ex.reply(200, new JsonObject().put("status", "success").put("try_all_buyers_ping_id", tryAll)
        .put("buyers", new JsonArray().add(buyer)).put("errors", new JsonArray()), "bid " + bid);
  }

  /**
   * The post step: a ping id of a live ping, the caller id the ping carried, the buyer the ping id
   * names (when buyer_id is sent), each ping posted once. Answers the tracking number to forward the
   * call to; a refusal is {@code "status":"error"} with the reason.
   */
  void post(SimRequest ex, String subdomain, String vanity, SimConfig.Ping profile) {
    String pingId = ex.text("ping_id");
    JsonObject ping = pingId == null ? null : state.pingOf(pingId);
    String why = pingId == null ? "ping_id is required"
        : ping == null || !ping.getString("vanity").equals(vanity) || !ping.getString("subdomain").equals(subdomain)
            ? "ping_id " + pingId + " not found"
        : ping.getLong("expires_ms") <= clock.millis() ? "ping_id " + pingId + " expired"
        : !ping.getString("caller_id").equals(digits(ex.text("caller_id")))
            ? "caller_id does not match the ping's"
        : ex.text("buyer_id") != null && (!ex.text("buyer_id").equals(ping.getString("buyer_id"))
            || pingId.equals(ping.getString("try_all_buyers_ping_id")))
            ? "buyer_id " + ex.text("buyer_id") + " does not match ping_id " + pingId
        : null;
    if (why == null && !state.post(ping, clock.instant().toString())) {
      why = "ping_id " + pingId + " was already posted";
    }
    if (why != null) {
      ex.reply(200, new JsonObject().put("status", "error").put("errors", new JsonArray().add(why)), "refused: " + why);
      return;
    }
    boolean tryAll = pingId.equals(ping.getString("try_all_buyers_ping_id"));
    ex.reply(200, new JsonObject().put("status", "success").put("number", profile.number())
        .put("ping_id", pingId).put("buyer_id", tryAll ? null : 1)
        .put("ringba_call_uuid", ex.text("ringba_call_uuid")), "posted " + pingId + (tryAll ? " (try all)" : ""));
  }

  private static String digits(String s) {
    return s == null ? "" : s.replaceAll("[^0-9]", "").replaceFirst("^(?=[0-9]{10}$)", "1");
  }

  private static final java.util.List<String> MONEY = java.util.List.of("revenue", "payout", "add_revenue", "add_payout");
  private static final java.util.List<String> FLAGS = java.util.List.of("buyer_converted", "offer_converted");

  private static boolean decimal(Object v) {
    try {
      new java.math.BigDecimal(String.valueOf(v).trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Boolean bool(Object v) {
    return switch (String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> Boolean.TRUE;
      case "0", "false", "no", "off" -> Boolean.FALSE;
      default -> null;
    };
  }

  static boolean authorized(SimRequest ex, SimConfig.Company company) {
    String header = ex.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      return same(decoded, company.publicKey() + ":" + company.privateKey());
    }
    String token = ex.text("auth_token");
    return token != null && !company.authToken().isEmpty() && same(token, company.authToken());
  }

  static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
