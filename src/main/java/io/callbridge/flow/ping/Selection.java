package io.callbridge.flow.ping;

import io.callbridge.flow.ping.TargetResult.Result;
import java.util.List;

/**
 * Picks the winner among the answers: the highest {@code bidAmount} among accepted bids with at
 * least {@code minTransferSeconds} of life left and at least the floor; ties go to the earlier
 * answer. Bids that fail a rule are re-labelled ({@code expired}, {@code below_floor}) so the
 * per-target details and metrics say why they lost.
 */
final class Selection {
  private final double[] floors;
  private final double floor;
  private final long minLifeMs;

  Selection(double floor, int minTransferSeconds) {
    this(new double[0], floor, minTransferSeconds);
  }

  /** {@code floors[i]}: target i's own floor (a buyer's terms); targets past the array use {@code floor}. */
  Selection(double[] floors, double floor, int minTransferSeconds) {
    this.floors = floors.clone();
    this.floor = floor;
    this.minLifeMs = minTransferSeconds * 1000L;
  }

  /** Why a ping got no bid, in the words of the answer. */
  enum Reason {
    NO_BID, ALL_REJECTED, TIMEOUT, BELOW_FLOOR, EXPIRED;

    final String word = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The outcome: a winner (index into results) or a reason, with every result labelled. */
  record Outcome(TargetResult winner, Reason reason, TargetResult[] results) {
    boolean accepted() {
      return winner != null;
    }
  }

  private double floorOf(int target) {
    return target >= 0 && target < floors.length ? floors[target] : floor;
  }

  Outcome select(List<TargetResult> answers, long nowMs) {
    TargetResult[] results = answers.toArray(new TargetResult[0]);
    TargetResult best = null;
    int rejected = 0;
    int timeouts = 0;
    int belowFloor = 0;
    int expired = 0;
    for (int i = 0; i < results.length; i++) {
      TargetResult r = results[i];
      if (r.result() == Result.ACCEPTED) {
        Bid bid = r.bid();
        long life = bid.lifeLeftMs(nowMs);
        if (life < minLifeMs || life <= 0) {
          r = r.as(Result.EXPIRED, (life <= 0 ? "expired " : "only " + (life / 1000) + "s left, ")
              + "minTransferSeconds is " + (minLifeMs / 1000));
        } else if (bid.amount() < floorOf(r.index())) {
          r = r.as(Result.BELOW_FLOOR, "bid " + bid.amount() + " below the floor " + floorOf(r.index()));
        } else if (best == null || bid.amount() > best.bid().amount()
            || (bid.amount() == best.bid().amount() && r.latencyNanos() < best.latencyNanos())) {
          best = r;
        }
        results[i] = r;
      }
      switch (results[i].result()) {
        case REJECTED, NO_BID -> rejected++;
        case TIMEOUT, NO_BUDGET -> timeouts++;
        case BELOW_FLOOR -> belowFloor++;
        case EXPIRED -> expired++;
        default -> { }
      }
    }
    if (best != null) {
      return new Outcome(best, null, results);
    }
    Reason reason;
    if (belowFloor > 0) {
      reason = Reason.BELOW_FLOOR;
    } else if (expired > 0) {
      reason = Reason.EXPIRED;
    } else if (rejected == results.length && rejected > 0 && anyReason(results)) {
      reason = Reason.ALL_REJECTED;
    } else if (timeouts > 0) {
      reason = Reason.TIMEOUT;
    } else {
      reason = Reason.NO_BID;
    }
    return new Outcome(null, reason, results);
  }

  private static boolean anyReason(TargetResult[] results) {
    for (TargetResult r : results) {
      if (r.result() == Result.REJECTED) {
        return true;
      }
    }
    return false;
  }
}
