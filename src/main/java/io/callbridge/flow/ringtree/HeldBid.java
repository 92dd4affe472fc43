package io.callbridge.flow.ringtree;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A bid CallBridge answered Ringba with, held until Ringba accepts it or it expires: which
 * TrackDrive target and buyer bid, the ping id the post step sends, and the call it was made for.
 *
 * <p>The bid id names its target and buyer ({@code RT<20 hex>.<target>.<buyer_id>}), so an
 * instance that did not answer the ping can still post to the right webhook for the right buyer
 * after finding the rest (the ping id, caller id, expiry) through correlation.
 */
record HeldBid(String bidId, int target, String targetName, String buyerId, String buyerName, String pingId,
    BigDecimal amount, String callerId, String inboundCallId, long expiresAtMs) {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final java.util.regex.Pattern BUYER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,40}");
  private static final java.util.regex.Pattern BID_ID =
      java.util.regex.Pattern.compile("RT[0-9a-f]{20}\\.([a-z0-9][a-z0-9_-]{0,62})\\.([A-Za-z0-9_-]{0,40})");

  static String mint(String targetName, String buyerId) {
    byte[] b = new byte[10];
    RANDOM.nextBytes(b);
    String buyer = buyerId == null || !BUYER_ID.matcher(buyerId).matches() ? "" : buyerId;
    return "RT" + HexFormat.of().formatHex(b) + "." + targetName + "." + buyer;
  }

  /** The target name and buyer id a bid id names, or null when it is not one of ours. */
  static String[] parts(String bidId) {
    java.util.regex.Matcher m = bidId == null ? null : BID_ID.matcher(bidId);
    return m != null && m.matches() ? new String[] {m.group(1), m.group(2)} : null;
  }

  long lifeLeftMs(long nowMs) {
    return expiresAtMs - nowMs;
  }
}
