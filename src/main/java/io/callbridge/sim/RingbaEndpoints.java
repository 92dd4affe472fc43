package io.callbridge.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Ringba's Inbound Data Enrichment, RTB and incoming webhook, answering in Ringba's wire format. */
final class RingbaEndpoints {
  /** Ringba's RTB reject codes and their names (support.ringba.com "RTB Error Codes"). */
  static final Map<Integer, String> REJECT_REASONS = Map.ofEntries(
      Map.entry(1001, "Disabled"),
      Map.entry(1002, "Initial tag filter"),
      Map.entry(1003, "No capacity"),
      Map.entry(1004, "Caller ID blocked or duplicate"),
      Map.entry(1005, "Final tag filters"),
      Map.entry(1006, "Final capacity check"),
      Map.entry(1007, "Closed or capped"),
      Map.entry(1024, "Rate-limited"),
      Map.entry(1025, "Ringba rate-limited"),
      Map.entry(1100, "Caller ID required"));
  static final String CACHED_WARNING = "Previous bid for this request not yet expired. This is a cached version";
  private static final DateTimeFormatter BID_EXPIRE_DT =
      DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a xxx", Locale.US).withZone(ZoneOffset.UTC);

  private final SimState state;
  private final Clock clock;

  RingbaEndpoints(SimState state, Clock clock) {
    this.state = state;
    this.clock = clock;
  }

  /** IDE: {@code callerid} is mandatory and the only match key; everything else is kept for 48 h. */
  void enrich(SimRequest ex, SplittableRandom r) {
    String raw = ex.text("callerid");
    if (raw == null) {
      ex.reply(400, new JsonObject().put("status", "error").put("message", "callerid is required"), "rejected: no callerid");
      return;
    }
    Optional<String> callerId = Phone.e164(raw);
    if (callerId.isEmpty()) {
      ex.reply(400, new JsonObject().put("status", "error").put("message", "callerid is not a phone number: " + raw),
          "rejected: bad callerid");
      return;
    }
    JsonObject values = ex.params().copy();
    values.remove("callerid");
    state.enrich(callerId.get(), ex.pathParam("publisherNumberId"), values, clock.instant());
    ex.reply(200, new JsonObject().put("status", "ok"), "enriched " + callerId.get());
  }

  /** RTB: a live bid, a cached one (warning 230, less life left) or a no-bid with a reject code. */
  void rtb(SimRequest ex, SplittableRandom r, String rtbId, SimConfig.Rtb profile) {
    JsonObject params = ex.params();
    String cidKey = params.fieldNames().stream().filter(k -> k.equalsIgnoreCase("CID")).findFirst().orElse("CID");
    String cid = ex.text(cidKey);
    String bidId = "RTB" + Dice.hex(r, 32);
    if (cid == null && profile.requireCallerId()) {
      noBid(ex, bidId, 1100);
      return;
    }
    if (cid != null && Phone.e164(cid).isEmpty()) {
      noBid(ex, bidId, 1004);
      return;
    }
    TreeMap<String, String> tags = new TreeMap<>();
    params.forEach(e -> {
      if (!e.getKey().equals(cidKey)) {
        tags.put(e.getKey(), String.valueOf(e.getValue()));
      }
    });
    // Tags such as trackdrive_call_uuid are ids TrackDrive carried to Ringba (knownCallIds: seen).
    tags.values().forEach(state::see);
    String cacheKey = rtbId + "|" + (cid == null ? "" : Phone.e164(cid).get()) + "|" + tags;
    long now = clock.millis();
    SimState.CachedBid cached = state.cachedBid(cacheKey, now);
    if (cached != null) {
      long left = (cached.expireEpochMs() - now) / 1000;
      if (left > 0) {
        JsonObject bid = cached.bid().copy().put("expireInSeconds", left)
            .put("warnings", new JsonArray().add(new JsonObject().put("code", 230).put("description", CACHED_WARNING)));
        ex.reply(200, bid, "cached bid " + bid.getValue("bidAmount") + " (230, " + left + "s left)");
        return;
      }
    }
    if (r.nextDouble() < profile.noBidRate()) {
      noBid(ex, bidId, profile.rejectCode());
      return;
    }
    double amount = profile.bidAmount().sample(r);
    String phone = profile.phoneNumbers().get(r.nextInt(profile.phoneNumbers().size()));
    long expireEpoch = now + profile.expireInSeconds() * 1000L;
    JsonObject bid = new JsonObject()
        .put("bidId", bidId)
        .put("bidAmount", amount)
        .put("expireInSeconds", profile.expireInSeconds())
        .put("bidExpireDT", BID_EXPIRE_DT.format(Instant.ofEpochMilli(expireEpoch)))
        .put("bidExpireEpoch", expireEpoch)
        .put("phoneNumber", phone)
        .put("phoneNumberNoPlus", phone.substring(1));
    if (!profile.sipDomain().isEmpty()) {
      bid.put("sipAddress", bidId + "@" + profile.sipDomain());
    }
    if (profile.duration() > 0) {
      // A buyer's own terms for this bid (Ringba's RTB contract carries the buyer's settings; the
      // field's name is configurable on the route: bidDurationField).
      bid.put("duration", profile.duration());
    }
    bid.put("warnings", new JsonArray());
    state.cacheBid(cacheKey, bid, expireEpoch);
    ex.reply(200, bid, "bid " + amount + " to " + phone);
  }

  private static void noBid(SimRequest ex, String bidId, int code) {
    ex.reply(200, new JsonObject().put("bidId", bidId).put("bidAmount", 0)
        .put("rejectReason", code + " - " + REJECT_REASONS.get(code)), "no bid (" + code + ")");
  }

  /** Incoming webhook: one conversion per call id; a later one, or an unknown call id, answers 404. */
  void hook(SimRequest ex, SplittableRandom r, String webhookId, SimConfig.Webhook profile) {
    String callId = ex.text(profile.callIdParam());
    if (callId == null || !profile.knownCallIds().known(callId, state::seen)) {
      ex.reply(404, new JsonObject().put("status", "error").put("message", callId == null
          ? "no " + profile.callIdParam() + " given" : "call " + callId + " not found"), "unknown call id");
      return;
    }
    // Ringba's rule (support.ringba.com "Webhooks"): with a Fire Conversion parameter configured, its
    // *presence* converts the call, whatever its value and even at $0 revenue; without one configured,
    // every hit converts. A hit that does not convert records nothing.
    boolean fires = profile.convertParam().isEmpty() || ex.params().containsKey(profile.convertParam());
    if (!fires) {
      ex.reply(200, new JsonObject().put("status", "ok").put("converted", false),
          "not converted (" + callId + "): no " + profile.convertParam());
      return;
    }
    JsonObject conversion = new JsonObject().put("callId", callId).put("webhookId", webhookId)
        .put("revenue", ex.text(profile.revenueParam())).put("at", clock.instant().toString())
        .put("params", ex.params().copy());
    if (!state.convert(callId, conversion)) {
      ex.reply(404, new JsonObject().put("status", "error").put("message", "call " + callId + " already converted"),
          "already converted (once-only)");
      return;
    }
    ex.reply(200, new JsonObject().put("status", "ok").put("converted", true),
        "converted " + callId + " revenue " + conversion.getString("revenue"));
  }
}
