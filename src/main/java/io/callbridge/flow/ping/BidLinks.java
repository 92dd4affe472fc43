package io.callbridge.flow.ping;

/**
 * Where a winning bid is linked to TrackDrive's call (call_uuid + subdomain ↔ bidId ↔ caller id,
 * with amount and expiry). Written behind: {@link #link} returns at once and is never awaited.
 */
interface BidLinks {
  void link(PingRequest request, Bid bid);

  BidLinks NONE = (request, bid) -> { };
}
