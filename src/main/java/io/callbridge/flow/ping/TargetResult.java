package io.callbridge.flow.ping;

import io.callbridge.upstream.Outcome;
import java.util.Locale;

/**
 * What one target contributed to a ping: its result word (the {@code result} label of the bids
 * metric and of the per-target details), the bid when one parsed, a detail for the operator, and
 * how long it took ({@code latencyNanos}: all targets are sent together, so the shorter latency is
 * the earlier answer, which wins a tie).
 */
record TargetResult(int index, String target, Result result, Bid bid, String detail, int httpStatus,
    long latencyNanos) {

  enum Result {
    ACCEPTED, REJECTED, NO_BID, EXPIRED, BELOW_FLOOR, TIMEOUT, REFUSED, HTTP_ERROR, BREAKER_OPEN, NO_BUDGET,
    INVALID_RESPONSE, NOT_CONFIGURED;

    final String word = name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads one target's outcome: a bid or a no-bid from a 2xx body; the outbound core's own
   * outcome otherwise. An error answer that still carries a Ringba no-bid keeps its reject code.
   */
  static TargetResult read(int index, String target, Outcome outcome, long sentAtMs) {
    long latency = outcome.latency().toNanos();
    long receivedAtMs = sentAtMs + outcome.latency().toMillis();
    if (outcome instanceof Outcome.Ok ok) {
      try {
        Bid bid = BidParser.parse(ok.body(), receivedAtMs);
        Result r = bid.accepted() ? Result.ACCEPTED : bid.rejectReason().isEmpty() ? Result.NO_BID : Result.REJECTED;
        return new TargetResult(index, target, r, bid, bid.rejectReason(), ok.status(), latency);
      } catch (BidParser.Invalid e) {
        return new TargetResult(index, target, Result.INVALID_RESPONSE, null, e.getMessage(), ok.status(), latency);
      }
    }
    if (outcome instanceof Outcome.HttpError err) {
      try {
        Bid bid = BidParser.parse(err.body(), receivedAtMs);
        if (!bid.accepted() && !bid.rejectReason().isEmpty()) {
          return new TargetResult(index, target, Result.REJECTED, bid, bid.rejectReason(), err.status(), latency);
        }
      } catch (BidParser.Invalid e) {
        // Not a Ringba answer: the status says it all.
      }
      return new TargetResult(index, target, Result.HTTP_ERROR, null, "HTTP " + err.status(), err.status(), latency);
    }
    Result r = switch (outcome.kind()) {
      case TIMEOUT, CANCELLED -> Result.TIMEOUT;
      case REFUSED -> Result.REFUSED;
      case BREAKER_OPEN -> Result.BREAKER_OPEN;
      case NO_BUDGET -> Result.NO_BUDGET;
      default -> Result.INVALID_RESPONSE;
    };
    String detail = outcome instanceof Outcome.InvalidResponse inv ? inv.detail()
        : outcome instanceof Outcome.Refused ref ? ref.detail() : "";
    return new TargetResult(index, target, r, null, detail, 0, latency);
  }

  TargetResult as(Result r, String why) {
    return new TargetResult(index, target, r, bid, why, httpStatus, latencyNanos);
  }
}
