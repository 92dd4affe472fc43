package io.callbridge.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ringba's side of a ring tree: an inbound call is offered to every Ring Tree Target at once, the
 * highest bid that arrived within the ping timeout wins, and the winner's bid acceptance is called
 * for the number to transfer to. What Ringba does, in its own words:
 * <ul>
 *   <li>"Your ring tree pings all eligible RTTs at the same time to identify the highest bidder for
 *       the call"; an RTT "is not the target number itself, but a third-party server that Ringba
 *       contacts on demand" (Ringba, "Ring Tree Target Setup Guide").</li>
 *   <li>"If a ring tree target takes longer than the Ping Timeout settings to respond to your bid
 *       request, Ringba chooses a winner among the other bids that arrived in time. The Ping Timeout
 *       is 2000 milliseconds by default, but you can reduce it to a minimum of 50 milliseconds"
 *       (Ringba, "Should I have one target or many targets in a ring tree?").</li>
 *   <li>The RTT's parsers read acceptance, the bid and the call length from the answer; its bid
 *       acceptance settings (URL, {@code bid_id_required}, {@code number_required}) are the callback
 *       for the winner (Ringba's API model, {@code PingTreeTargetCreateModel}, {@code BidAcceptanceSettings}).</li>
 *   <li>"the call must be transferred to the phoneNumber … WITHIN the expireInSeconds number of
 *       seconds" (Ringba, "Publishers: How to Implement Ringba RTB").</li>
 * </ul>
 * The simulator enforces those meanings: a late answer is no bid, a bid needs {@code accepted} true
 * and a positive {@code bidAmount} at or above the tree's minimum, a bid already expired when the
 * acceptance answers does not route, and the acceptance must answer an E.164 {@code phoneNumber}.
 * It does not model revenue recovery (rerouting to the next bid after a failed transfer).
 */
final class RingbaRingTree {
  private final Vertx vertx;
  private final HttpClient client;
  private final SimState state;
  private final Clock clock;

  RingbaRingTree(Vertx vertx, HttpClient client, SimState state, Clock clock) {
    this.vertx = vertx;
    this.client = client;
    this.state = state;
    this.clock = clock;
  }

  /** One target's ping, as Ringba's ring tree reports it. */
  private record Ping(SimConfig.RingTreeTarget target, JsonObject report, JsonObject bid) {}

  /**
   * Offers {@code call} (the RTT request body, Ringba's tokens already resolved: {@code CID},
   * {@code inboundCallId}, tags) to the tree's targets and answers what Ringba would do with it.
   */
  Future<JsonObject> offer(String treeId, SimConfig.RingTree tree, JsonObject call) {
    List<Future<Ping>> pings = new ArrayList<>();
    for (SimConfig.RingTreeTarget t : tree.targets()) {
      pings.add(ping(t, tree, call));
    }
    return Future.join(pings).transform(done -> {
      JsonArray reports = new JsonArray();
      Ping best = null;
      for (Future<Ping> f : pings) {
        Ping p = f.result();
        reports.add(p.report());
        if (p.bid() != null && (best == null
            || p.bid().getDouble("bidAmount") > best.bid().getDouble("bidAmount"))) {
          best = p;
        }
      }
      String callId = call.getString("inboundCallId", "");
      if (!callId.isEmpty()) {
        state.see(callId);
      }
      JsonObject outcome = new JsonObject().put("ringTree", treeId).put("inboundCallId", callId)
          .put("CID", call.getValue("CID")).put("pings", reports);
      if (best == null) {
        return Future.succeededFuture(done(outcome.put("routed", false).put("reason", "no_bid")));
      }
      return accept(best, call).map(accept -> done(outcome.mergeIn(accept)));
    });
  }

  private JsonObject done(JsonObject outcome) {
    state.ringTreeCall(outcome.put("at", clock.instant().toString()));
    return outcome;
  }

  private Future<Ping> ping(SimConfig.RingTreeTarget t, SimConfig.RingTree tree, JsonObject call) {
    long start = clock.millis();
    JsonObject report = new JsonObject().put("target", t.name());
    return post(t.url(), t.headers(), call, tree.pingTimeout()).transform(ar -> {
      report.put("elapsedMs", clock.millis() - start);
      if (ar.failed()) {
        boolean late = String.valueOf(ar.cause().getMessage()).startsWith("timeout");
        return Future.succeededFuture(new Ping(t, report.put("result", late ? "timeout" : "no_connection")
            .put("detail", String.valueOf(ar.cause().getMessage())), null));
      }
      Reply r = ar.result();
      report.put("status", r.status());
      Optional<JsonObject> body = json(r.body());
      body.ifPresent(b -> report.put("answer", b));
      if (r.status() != 200 || body.isEmpty()) {
        return Future.succeededFuture(new Ping(t, report.put("result", "invalid_response"), null));
      }
      JsonObject b = body.get();
      if (!(b.getValue("bidAmount") instanceof Number amount) || !(b.getValue("bidId") instanceof String)) {
        return Future.succeededFuture(new Ping(t, report.put("result", "invalid_response")
            .put("detail", "a bid needs a numeric bidAmount and a bidId"), null));
      }
      if (!b.getBoolean("accepted", amount.doubleValue() > 0) || amount.doubleValue() <= 0) {
        return Future.succeededFuture(new Ping(t, report.put("result", "no_bid")
            .put("detail", b.getValue("rejectReason", "")), null));
      }
      if (amount.doubleValue() < tree.minimumBid()) {
        return Future.succeededFuture(new Ping(t, report.put("result", "below_minimum"), null));
      }
      long expires = b.getValue("expireInSeconds") instanceof Number s ? start + s.longValue() * 1000 : Long.MAX_VALUE;
      JsonObject bid = new JsonObject().put("bidId", b.getString("bidId")).put("bidAmount", amount.doubleValue())
          .put("expiresAtMs", expires).put("duration", b.getValue("duration"));
      return Future.succeededFuture(new Ping(t, report.put("result", "bid").put("bidAmount", amount.doubleValue()), bid));
    });
  }

  /** The winner's bid acceptance: {@code {"bidId", "CID"}}; the number to transfer to comes back. */
  private Future<JsonObject> accept(Ping winner, JsonObject call) {
    JsonObject bid = winner.bid();
    JsonObject result = new JsonObject().put("target", winner.target().name()).put("bidId", bid.getString("bidId"))
        .put("bidAmount", bid.getDouble("bidAmount")).put("duration", bid.getValue("duration"));
    JsonObject body = new JsonObject().put("bidId", bid.getString("bidId")).put("CID", call.getValue("CID"));
    SimConfig.RingTreeTarget t = winner.target();
    return post(t.acceptUrl(), t.headers(), body, t.acceptTimeout()).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(result.put("routed", false).put("reason", "accept_failed")
            .put("detail", String.valueOf(ar.cause().getMessage())));
      }
      Reply r = ar.result();
      JsonObject answer = json(r.body()).orElse(new JsonObject());
      result.put("accept", new JsonObject().put("status", r.status()).put("answer", answer));
      if (clock.millis() > bid.getLong("expiresAtMs")) {
        return Future.succeededFuture(result.put("routed", false).put("reason", "bid_expired"));
      }
      String number = answer.getValue("phoneNumber") instanceof String s ? s : "";
      if (r.status() != 200 || !answer.getBoolean("accepted", false)) {
        return Future.succeededFuture(result.put("routed", false).put("reason", "accept_refused"));
      }
      if (!Phone.e164(number).map(number::equals).orElse(false)) {
        return Future.succeededFuture(result.put("routed", false).put("reason", "no_number")
            .put("detail", "number_required: the acceptance answered no E.164 phoneNumber"));
      }
      return Future.succeededFuture(result.put("routed", true).put("phoneNumber", number));
    });
  }

  private record Reply(int status, Buffer body) {}

  /** A JSON POST that fails with "timeout" when the whole answer has not come within {@code timeout}. */
  private Future<Reply> post(String url, Map<String, String> headers, JsonObject body, Duration timeout) {
    Promise<Reply> reply = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()),
        t -> reply.tryFail("timeout: no answer within " + timeout.toMillis() + "ms"));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setConnectTimeout(Math.max(1, timeout.toMillis())).putHeader("Content-Type", "application/json");
    headers.forEach(options::putHeader);
    client.request(options)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b)))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            reply.tryComplete(ar.result());
          } else {
            reply.tryFail(ar.cause());
          }
        });
    return reply.future();
  }

  private static Optional<JsonObject> json(Buffer body) {
    if (body == null || body.length() == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(body.toJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }
}
