package io.callbridge.flow.ringtree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callbridge.config.RingTreeSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.CallLinks;
import io.callbridge.correlation.CallMatch;
import io.callbridge.correlation.CallRecord;
import io.callbridge.correlation.IdKind;
import io.callbridge.deadline.Deadline;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Phones;
import io.callbridge.template.Rendering;
import io.callbridge.template.RequestTemplate;
import io.callbridge.template.Templates;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ringba pings TrackDrive's buyers through CallBridge. Ringba's ring tree pings every eligible Ring
 * Tree Target at once and routes the call to the highest bidder (Ringba "Ring Tree Target Setup
 * Guide"); a {@code kind: ring-tree} route is such a target. Its ping step pings every TrackDrive
 * inbound webhook of the route inside the deadline and answers Ringba in Ringba's own RTB words
 * ({@code bidId, bidAmount, expireInSeconds, phoneNumber, phoneNumberNoPlus}, or {@code bidAmount: 0}
 * with a {@code rejectReason}); its {@code accept} step (Ringba's bid acceptance, which sends the bid
 * id back when the call is routed) posts TrackDrive's post step with the ping id it holds and
 * answers the number TrackDrive gave.
 */
public final class RingTreeFlow implements Flow {
  private static final Logger LOG = Logger.getLogger(RingTreeFlow.class.getName());
  static final String CID = "CID";
  static final String INBOUND_CALL_ID = "inboundCallId";
  static final String BID_ID = "bidId";
  static final String TAGS = "tags";

  private final RouteConfig route;
  private final RingTreeSettings s;
  private final List<TargetConfig> targets;
  private final RequestTemplate[] pings;
  private final RequestTemplate post;
  private final FanOut fanOut;
  private final CallLinks links;
  private final Phones phones;
  private final Clock clock;
  private final RingTreeMetrics metrics;
  private final Set<String> shieldIgnore;
  private final Cache<String, HeldBid> held;
  private final Cache<String, String> shield;
  private final Cache<String, Future<Reply>> accepted;

  RingTreeFlow(RouteConfig route, RequestTemplate[] pings, RequestTemplate post, FanOut fanOut, CallLinks links,
      Phones phones, RingTreeMetrics metrics, Clock clock) {
    this.route = route;
    this.s = route.settingsAs(RingTreeSettings.class);
    this.targets = route.targets();
    this.pings = pings;
    this.post = post;
    this.fanOut = fanOut;
    this.links = links;
    this.phones = phones;
    this.metrics = metrics;
    this.clock = clock;
    this.shieldIgnore = Set.copyOf(s.shieldIgnore());
    // Memory only, bounded; whether a held bid may still be used is decided by the route's clock.
    Duration life = Duration.ofSeconds(s.bidSeconds() + 60L);
    this.held = Caffeine.newBuilder().maximumSize(s.shieldMaxEntries()).expireAfterWrite(life).build();
    this.shield = Caffeine.newBuilder().maximumSize(s.shieldMaxEntries()).expireAfterWrite(life).build();
    this.accepted = Caffeine.newBuilder().maximumSize(s.shieldMaxEntries()).expireAfterWrite(life).build();
  }

  /** The flow of one ring-tree route: its targets' ping templates, the post template, where bids are linked. */
  public static RingTreeFlow create(RouteConfig route, Templates templates, FanOut fanOut, CallLinks links,
      Metrics metrics, Clock clock) {
    RingTreeSettings s = route.settingsAs(RingTreeSettings.class);
    RequestTemplate[] pings = route.targets().stream().map(t -> templates.get(t.template()))
        .toArray(RequestTemplate[]::new);
    return new RingTreeFlow(route, pings, templates.get(s.postTemplate()), fanOut, links, templates.phones(),
        new RingTreeMetrics(metrics, route.name(), route.targets().stream().map(TargetConfig::name).toList()), clock);
  }

  @Override
  public Map<String, Flow> steps() {
    return Map.of("accept", this::accept);
  }

  // ---- the ping step ----

  @Override
  public Future<Reply> handle(Inbound in) {
    long start = System.nanoTime();
    Optional<Reply> missing = in.missingRequired(route.required());
    if (missing.isPresent()) {
      metrics.ping("invalid_input", false, start);
      return Future.succeededFuture(missing.get());
    }
    String field = in.text(CID).isPresent() ? CID : "caller_id";
    Optional<String> raw = in.text(field);
    if (raw.isEmpty()) {
      metrics.ping("invalid_input", false, start);
      return Future.succeededFuture(Reply.error(422, CID + ": is required (Ringba's caller id: TrackDrive's post "
          + "must carry the caller id of the call that arrives)", CID));
    }
    Optional<String> callerId = phones.format(raw.get(), Phones.Format.E164);
    if (callerId.isEmpty()) {
      metrics.ping("invalid_input", false, start);
      return Future.succeededFuture(Reply.error(422, field + ": not a phone number: '" + raw.get() + "'", field));
    }
    for (Map.Entry<String, Object> e : in.fields().entrySet()) {
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        metrics.ping("invalid_input", false, start);
        return Future.succeededFuture(Reply.error(422, e.getKey()
            + ": expected a single value, not a nested object or list", e.getKey()));
      }
    }
    Map<String, Object> fields = new HashMap<>(in.fields());
    fields.remove(TAGS);
    fields.put(CID, callerId.get());
    Map<String, Object> chosen = new LinkedHashMap<>();
    for (String t : s.tags()) {
      Object v = in.fields().get(t);
      if (v != null) {
        chosen.put(t, v);
      }
    }
    if (!chosen.isEmpty()) {
      fields.put(TAGS, chosen);
    }
    String inboundCallId = in.text(INBOUND_CALL_ID).orElse(null);
    String key = s.shield() ? shieldKey(callerId.get(), in.fields()) : null;
    long now = clock.millis();
    if (key != null) {
      String bidId = shield.getIfPresent(key);
      HeldBid hit = bidId == null ? null : held.getIfPresent(bidId);
      if (hit != null && hit.lifeLeftMs(now) >= s.minTransferSeconds() * 1000L) {
        metrics.ping("accepted", true, start);
        return Future.succeededFuture(Reply.json(200, bidAnswer(hit, true, now)));
      }
    }
    List<FanOut.Call> calls = new ArrayList<>(pings.length);
    String[] skipped = new String[pings.length];
    for (int i = 0; i < pings.length; i++) {
      Rendering r = pings[i].render(fields, targets.get(i).vars());
      if (r instanceof Rendering.Rejected rejected) {
        if (!rejected.configuration()) {
          metrics.ping("invalid_input", false, start);
          return Future.succeededFuture(Reply.error(422, rejected.message(), rejected.token()));
        }
        skipped[i] = "not configured: " + rejected.message();
      } else {
        calls.add(new FanOut.Call(targets.get(i).destination(), ((Rendering.Rendered) r).request()));
      }
    }
    Deadline budget = in.deadline().minus(route.replyReserve());
    return fanOut.all(calls, budget).map(outcomes -> conclude(outcomes, skipped, callerId.get(), inboundCallId, key,
        start));
  }

  private Reply conclude(List<Outcome> outcomes, String[] skipped, String callerId, String inboundCallId, String key,
      long start) {
    List<TrackDriveBids.Answer> answers = new ArrayList<>(pings.length);
    int sent = 0;
    for (int i = 0; i < pings.length; i++) {
      answers.add(skipped[i] != null ? new TrackDriveBids.Answer("not_configured", List.of(), null, skipped[i], 0)
          : TrackDriveBids.read(outcomes.get(sent++)));
    }
    int bestTarget = -1;
    TrackDriveBids.Buyer best = null;
    boolean belowFloor = false;
    String[] results = new String[answers.size()];
    for (int i = 0; i < answers.size(); i++) {
      TrackDriveBids.Answer a = answers.get(i);
      results[i] = a.result();
      double floor = targets.get(i).floor().orElse(s.floor());
      boolean any = false;
      for (TrackDriveBids.Buyer b : a.buyers()) {
        if (b.bid().doubleValue() < floor || b.bid().signum() <= 0) {
          belowFloor = true;
          continue;
        }
        any = true;
        // The highest bid wins; a tie goes to the earlier target, then to TrackDrive's own order.
        if (best == null || b.bid().compareTo(best.bid()) > 0) {
          best = b;
          bestTarget = i;
        }
      }
      if (a.hasBuyers() && !any) {
        results[i] = "below_floor";
      }
    }
    metrics.bids(results);
    long now = clock.millis();
    if (best == null) {
      String reason = belowFloor ? "below_floor"
          : Arrays.stream(results).allMatch("timeout"::equals) ? "timeout"
          : Arrays.stream(results).allMatch("rejected"::equals) ? "all_rejected" : "no_bid";
      metrics.ping(reason, false, start);
      JsonObject body = new JsonObject().put("bidAmount", 0).put("rejectReason", reason).put("accepted", false)
          .put("reason", reason).put("targets", targetsJson(answers, results, -1));
      return Reply.json(200, body);
    }
    TrackDriveBids.Answer winner = answers.get(bestTarget);
    String pingId = s.post() == RingTreeSettings.Post.TRY_ALL && winner.tryAllId() != null ? winner.tryAllId()
        : best.pingId();
    String bidId = HeldBid.mint(targets.get(bestTarget).name(), s.post() == RingTreeSettings.Post.TRY_ALL ? null
        : best.buyerId());
    HeldBid bid = new HeldBid(bidId, bestTarget, targets.get(bestTarget).name(),
        s.post() == RingTreeSettings.Post.TRY_ALL ? null : best.buyerId(), best.name(), pingId, best.bid(), callerId,
        inboundCallId, now + s.bidSeconds() * 1000L);
    held.put(bidId, bid);
    if (key != null) {
      shield.put(key, bidId);
    }
    link(bid, null);
    metrics.ping("accepted", false, start);
    JsonObject body = bidAnswer(bid, false, now);
    body.put("targets", targetsJson(answers, results, bestTarget));
    return Reply.json(200, body);
  }

  /** Ringba's own RTB answer shape, with CallBridge's details beside it. */
  private JsonObject bidAnswer(HeldBid bid, boolean cached, long now) {
    JsonObject body = new JsonObject().put("bidId", bid.bidId()).put("bidAmount", bid.amount())
        .put("expireInSeconds", Math.max(0, bid.lifeLeftMs(now) / 1000)).put("bidExpireEpoch", bid.expiresAtMs());
    if (!s.transferNumber().isEmpty()) {
      putNumber(body, s.transferNumber());
    }
    return body.put("duration", s.conversionSeconds()).put("accepted", true).put("cached", cached)
        .put("target", bid.targetName()).put("buyer", bid.buyerName());
  }

  private void putNumber(JsonObject body, String number) {
    Phones.Format format = Phones.Format.of(s.numberFormat()).orElse(Phones.Format.E164);
    String e164 = phones.format(number, Phones.Format.E164).orElse(number);
    body.put("phoneNumber", phones.format(number, format).orElse(number));
    body.put("phoneNumberNoPlus", e164.startsWith("+") ? e164.substring(1) : e164);
  }

  private JsonArray targetsJson(List<TrackDriveBids.Answer> answers, String[] results, int winner) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < answers.size(); i++) {
      TrackDriveBids.Answer a = answers.get(i);
      JsonObject t = new JsonObject().put("target", targets.get(i).name()).put("result", results[i])
          .put("buyers", a.buyers().size()).put("latency_ms", a.latencyMs());
      if (!a.detail().isEmpty()) {
        t.put("detail", a.detail());
      }
      if (i == winner) {
        t.put("winner", true);
      }
      out.add(t);
    }
    return out;
  }

  /** The caller id and the sorted fields except {@code shieldIgnore}: Ringba's call id is one of them. */
  private String shieldKey(String callerId, Map<String, Object> fields) {
    List<String> keys = new ArrayList<>();
    for (String k : fields.keySet()) {
      if (!k.equals(CID) && !k.equals("caller_id") && !shieldIgnore.contains(k)) {
        keys.add(k);
      }
    }
    keys.sort(null);
    StringBuilder sb = new StringBuilder(64).append(callerId);
    for (String k : keys) {
      Object v = fields.get(k);
      sb.append('\u0000').append(k).append('=').append(v == null ? "" : String.valueOf(v).trim());
    }
    return sb.toString();
  }

  // ---- the accept step ----

  Future<Reply> accept(Inbound in) {
    long start = System.nanoTime();
    Optional<String> bidId = in.text(BID_ID);
    if (bidId.isEmpty()) {
      return refuse(start, "invalid_input", Reply.error(422, "bidId: is required (the bidId CallBridge answered the"
          + " ping with: Ringba's bid acceptance sends it back)", BID_ID));
    }
    Future<Reply> earlier = accepted.getIfPresent(bidId.get());
    if (earlier != null) {
      // Ringba asking again for the same bid: the same answer, never a second post to TrackDrive.
      return earlier;
    }
    String[] parts = HeldBid.parts(bidId.get());
    if (parts == null) {
      return refuse(start, "unknown_bid", notAccepted(404, "unknown_bid", "bidId: '" + bidId.get()
          + "' is not a bid this route answered"));
    }
    HeldBid local = held.getIfPresent(bidId.get());
    Future<Optional<HeldBid>> found = local != null ? Future.succeededFuture(Optional.of(local))
        : links.match(IdKind.BID_ID, bidId.get(), IdKind.PING_ID).map(m -> fromRecord(bidId.get(), parts, m));
    Future<Reply> answer = found.compose(bid -> {
      if (bid.isEmpty()) {
        return refuse(start, "unknown_bid", notAccepted(404, "unknown_bid", "bidId: no bid '" + bidId.get()
            + "' is known (never answered, or its link is gone)"));
      }
      return accept(in, bid.get(), start);
    });
    accepted.put(bidId.get(), answer);
    // Only a posted answer is kept for repeats; a refusal may be asked again (a caller id fixed, say).
    answer.onComplete(r -> {
      if (r.failed() || r.result().status() != 200 || !Boolean.TRUE.equals(r.result().body().getValue("accepted"))) {
        accepted.asMap().remove(bidId.get(), answer);
      }
    });
    return answer;
  }

  private Optional<HeldBid> fromRecord(String bidId, String[] parts, CallMatch m) {
    if (!(m instanceof CallMatch.Found f)) {
      return Optional.empty();
    }
    CallRecord r = f.call();
    int target = -1;
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i).name().equals(parts[0])) {
        target = i;
      }
    }
    if (target < 0 || r.pingId().isEmpty() || r.bidExpiresAt().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HeldBid(bidId, target, parts[0], parts[1].isEmpty() ? null : parts[1], null,
        r.pingId().get(), BigDecimal.valueOf(r.bidAmount().orElse(0)), r.callerId().orElse(null),
        r.inboundCallId().orElse(null), r.bidExpiresAt().get().toEpochMilli()));
  }

  private Future<Reply> accept(Inbound in, HeldBid bid, long start) {
    long now = clock.millis();
    if (bid.lifeLeftMs(now) <= 0) {
      return refuse(start, "expired", notAccepted(410, "expired", "bidId: expired " + (-bid.lifeLeftMs(now) / 1000)
          + " s ago (at " + Instant.ofEpochMilli(bid.expiresAtMs()) + "; bids live bidSeconds=" + s.bidSeconds()
          + " s): TrackDrive's ping is no longer held for it"));
    }
    Optional<String> given = in.text(CID).or(() -> in.text("caller_id"));
    if (given.isPresent() && bid.callerId() != null
        && !bid.callerId().equals(phones.format(given.get(), Phones.Format.E164).orElse(given.get()))) {
      return refuse(start, "caller_id_mismatch", notAccepted(409, "caller_id_mismatch", "CID: '" + given.get()
          + "' is not the caller id the bid was made for (" + bid.callerId() + "); TrackDrive routes the call by it"));
    }
    Map<String, Object> fields = new HashMap<>();
    fields.put("ping_id", bid.pingId());
    if (bid.buyerId() != null) {
      fields.put("buyer_id", bid.buyerId());
    }
    if (bid.callerId() != null) {
      fields.put(CID, bid.callerId());
    }
    String inboundCallId = bid.inboundCallId() != null ? bid.inboundCallId() : in.text(INBOUND_CALL_ID).orElse(null);
    if (inboundCallId != null) {
      fields.put(INBOUND_CALL_ID, inboundCallId);
    }
    TargetConfig target = targets.get(bid.target());
    Rendering r = post.render(fields, target.vars());
    if (r instanceof Rendering.Rejected rejected) {
      return refuse(start, "not_configured", notAccepted(200, "not_configured", rejected.message()));
    }
    Deadline budget = in.deadline().minus(route.replyReserve());
    return fanOut.all(List.of(new FanOut.Call(target.destination(), ((Rendering.Rendered) r).request())), budget)
        .map(outcomes -> posted(bid, inboundCallId, outcomes.get(0), start));
  }

  private Reply posted(HeldBid bid, String inboundCallId, Outcome outcome, long start) {
    JsonObject body = null;
    if (outcome instanceof Outcome.Ok ok && ok.body() != null && ok.body().length() > 0) {
      try {
        body = new JsonObject(ok.body());
      } catch (RuntimeException e) {
        body = null;
      }
    }
    if (body == null) {
      String result = outcome instanceof Outcome.Ok ? "invalid_response"
          : outcome.kind() == Outcome.Kind.CANCELLED ? "timeout" : outcome.kind().label();
      String detail = outcome instanceof Outcome.HttpError err ? "TrackDrive answered HTTP " + err.status()
          : outcome instanceof Outcome.Ok ? "TrackDrive's post answer is not a JSON object" : "TrackDrive: " + result;
      metrics.accept(result, start);
      return notAccepted(200, result, detail);
    }
    String status = TrackDriveBids.text(body.getValue("status"));
    String number = TrackDriveBids.text(body.getValue(s.postNumberField()));
    if (status != null && !status.equals("success") || number == null && s.transferNumber().isEmpty()) {
      Object errors = body.getValue("errors");
      metrics.accept("refused", start);
      return notAccepted(200, "refused", "TrackDrive refused the post" + (errors == null ? "" : ": " + errors)
          + (number == null ? " (no '" + s.postNumberField() + "' in its answer, and the route has no transferNumber)"
              : ""));
    }
    link(bid, TrackDriveBids.text(body.getValue("call_uuid")));
    JsonObject answer = new JsonObject().put("accepted", true).put("bidId", bid.bidId()).put("bidAmount", bid.amount());
    putNumber(answer, number != null ? number : s.transferNumber());
    answer.put("duration", s.conversionSeconds()).put("target", bid.targetName());
    if (inboundCallId != null) {
      answer.put("inboundCallId", inboundCallId);
    }
    metrics.accept("accepted", start);
    return Reply.json(200, answer);
  }

  private Future<Reply> refuse(long start, String result, Reply reply) {
    metrics.accept(result, start);
    return Future.succeededFuture(reply);
  }

  private static Reply notAccepted(int status, String reason, String detail) {
    JsonObject body = new JsonObject().put("accepted", false).put("reason", reason).put("error", detail);
    if (status == 404 || status == 410 || status == 422) {
      body.put("field", BID_ID);
    } else if (status == 409) {
      body.put("field", CID);
    }
    return Reply.json(status, body);
  }

  /** Ringba's call and caller id ↔ the bid ↔ TrackDrive's ping id (and call, once known); never awaited. */
  private void link(HeldBid bid, String callUuid) {
    try {
      CallLink.Builder b = CallLink.builder().callerId(bid.callerId())
          .bid(bid.bidId(), bid.amount().doubleValue(), Instant.ofEpochMilli(bid.expiresAtMs())).pingId(bid.pingId());
      if (bid.inboundCallId() != null) {
        b.inboundCallId(bid.inboundCallId());
      }
      if (callUuid != null) {
        b.callUuid(callUuid);
      }
      links.link(route.name(), b.build());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ring-tree route " + route.name() + ": could not link bid " + bid.bidId(), e);
    }
  }
}
