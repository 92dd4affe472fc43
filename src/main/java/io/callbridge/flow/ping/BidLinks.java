package io.callbridge.flow.ping;

import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.CallLinks;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Links a winning bid to TrackDrive's call: call_uuid + subdomain ↔ bidId (amount, expiry) ↔
 * caller id, and TrackDrive's ping_id when the ping carried one. Written behind: the link runs
 * after the current event-loop task (so the answer is written first) and is never awaited.
 */
final class BidLinks {
  private static final Logger LOG = Logger.getLogger(BidLinks.class.getName());

  private final CallLinks correlation;
  private final String route;

  BidLinks(CallLinks correlation, String route) {
    this.correlation = correlation;
    this.route = route;
  }

  void link(PingRequest request, Bid bid) {
    behind(() -> linkNow(request, bid, false));
  }

  /**
   * A further call answered with a bid an earlier call won (the shield): the call is linked as its
   * own, without the bid, and the bid is recorded as shared, so a postback for it is ambiguous.
   */
  void linkShared(PingRequest request, Bid bid) {
    behind(() -> linkNow(request, bid, true));
  }

  private static void behind(Runnable link) {
    Context context = Vertx.currentContext();
    if (context == null) {
      link.run();
    } else {
      context.runOnContext(v -> link.run());
    }
  }

  private void linkNow(PingRequest request, Bid bid, boolean shared) {
    try {
      CallLink.Builder b = CallLink.builder().callerId(request.callerId());
      if (!shared) {
        b.bid(bid.bidId(), bid.amount(), Instant.ofEpochMilli(bid.expiresAtMs()));
      }
      if (!request.callUuid().isEmpty()) {
        b.callUuid(request.callUuid(), request.subdomain());
      }
      Object pingId = request.fields().get("ping_id");
      if (pingId != null) {
        b.pingId(String.valueOf(pingId));
      }
      if (shared) {
        correlation.linkShared(route, bid.bidId(), b.build());
      } else {
        correlation.link(route, b.build());
      }
    } catch (RuntimeException e) {
      // A lost link is a lost lookup later, never a lost ping answer.
      LOG.log(Level.WARNING, "ping route " + route + ": could not link bid " + bid.bidId(), e);
    }
  }
}
