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

  /**
   * A target's verdict: the buyer's answer (accepted, rejected, no bid), a rule that set the bid
   * aside (expired, below floor), or what kept it from answering, in the outbound core's own words
   * ({@link Outcome.Kind}: one name per outcome, in answers and metrics alike).
   */
  enum Result {
    ACCEPTED, REJECTED, NO_BID, EXPIRED, BELOW_FLOOR, NOT_CONFIGURED,
    TIMEOUT(Outcome.Kind.TIMEOUT), REFUSED(Outcome.Kind.REFUSED), HTTP_ERROR(Outcome.Kind.HTTP_ERROR),
    BREAKER_OPEN(Outcome.Kind.BREAKER_OPEN), NO_BUDGET(Outcome.Kind.NO_BUDGET),
    INVALID_RESPONSE(Outcome.Kind.INVALID_RESPONSE), NO_CONNECTION(Outcome.Kind.NO_CONNECTION);

    final String word;

    Result() {
      this.word = name().toLowerCase(Locale.ROOT);
    }

    Result(Outcome.Kind outcome) {
      this.word = outcome.label();
    }

    /** What kept a target from answering; a cancelled request was cut by the deadline. */
    static Result of(Outcome.Kind kind) {
      return switch (kind) {
        case TIMEOUT, CANCELLED -> TIMEOUT;
        case REFUSED -> REFUSED;
        case HTTP_ERROR -> HTTP_ERROR;
        case BREAKER_OPEN -> BREAKER_OPEN;
        case NO_BUDGET -> NO_BUDGET;
        case NO_CONNECTION -> NO_CONNECTION;
        case OK, INVALID_RESPONSE -> INVALID_RESPONSE;
      };
    }
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
    Result r = Result.of(outcome.kind());
    String detail = outcome instanceof Outcome.InvalidResponse inv ? inv.detail()
        : outcome instanceof Outcome.Refused ref ? ref.detail() : "";
    return new TargetResult(index, target, r, null, detail, 0, latency);
  }

  TargetResult as(Result r, String why) {
    return new TargetResult(index, target, r, bid, why, httpStatus, latencyNanos);
  }
}
