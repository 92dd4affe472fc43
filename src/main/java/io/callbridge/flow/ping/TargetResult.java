package io.callbridge.flow.ping;

import java.util.Locale;

/**
 * What one target contributed to a ping: its result word (the {@code result} label of the bids
 * metric and of the per-target details), the bid when one parsed, a detail for the operator, and
 * when the answer arrived ({@code arrivalNanos}, for ties: the earlier answer wins).
 */
record TargetResult(int index, String target, Result result, Bid bid, String detail, int httpStatus,
    long latencyNanos, long arrivalNanos) {

  enum Result {
    ACCEPTED, REJECTED, NO_BID, EXPIRED, BELOW_FLOOR, TIMEOUT, REFUSED, HTTP_ERROR, BREAKER_OPEN, NO_BUDGET,
    INVALID_RESPONSE;

    final String word = name().toLowerCase(Locale.ROOT);
  }

  /** Reads what the transport saw: a bid, a no-bid, or the transport's own outcome. */
  static TargetResult read(int index, String target, Exchange ex, long nowMs, long arrivalNanos) {
    Result transport = switch (ex.kind()) {
      case OK -> null;
      case TIMEOUT -> Result.TIMEOUT;
      case REFUSED -> Result.REFUSED;
      case HTTP_ERROR -> Result.HTTP_ERROR;
      case BREAKER_OPEN -> Result.BREAKER_OPEN;
      case NO_BUDGET -> Result.NO_BUDGET;
      case INVALID_RESPONSE -> Result.INVALID_RESPONSE;
    };
    if (transport != null) {
      String detail = ex.kind() == Exchange.Kind.HTTP_ERROR ? "HTTP " + ex.status() : "";
      return new TargetResult(index, target, transport, null, detail, ex.status(), ex.latencyNanos(), arrivalNanos);
    }
    boolean success = ex.status() >= 200 && ex.status() < 300;
    try {
      Bid bid = BidParser.parse(ex.body(), nowMs);
      Result r = bid.accepted() ? Result.ACCEPTED : bid.rejectReason().isEmpty() ? Result.NO_BID : Result.REJECTED;
      if (!success && r == Result.ACCEPTED) {
        // A bid in an error answer is not a bid anyone should transfer on.
        return new TargetResult(index, target, Result.HTTP_ERROR, null, "HTTP " + ex.status(), ex.status(),
            ex.latencyNanos(), arrivalNanos);
      }
      return new TargetResult(index, target, r, bid, bid.rejectReason(), ex.status(), ex.latencyNanos(), arrivalNanos);
    } catch (BidParser.Invalid e) {
      Result r = success ? Result.INVALID_RESPONSE : Result.HTTP_ERROR;
      String detail = success ? e.getMessage() : "HTTP " + ex.status();
      return new TargetResult(index, target, r, null, detail, ex.status(), ex.latencyNanos(), arrivalNanos);
    }
  }

  TargetResult as(Result r, String why) {
    return new TargetResult(index, target, r, bid, why, httpStatus, latencyNanos, arrivalNanos);
  }
}
