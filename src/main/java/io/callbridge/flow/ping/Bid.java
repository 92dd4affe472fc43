package io.callbridge.flow.ping;

import java.util.Map;

/**
 * One Ringba RTB answer that parsed: an accepted bid (amount above zero and a number to transfer
 * to) or a no-bid (its {@code rejectReason} and the code in it, 0 when none). {@code cached} is
 * Ringba's warning 230: a repeat ping answered from its cache with less life left. Expiry comes
 * from {@code bidExpireEpoch} (ms) when present, else {@code expireInSeconds} counted from when the
 * answer arrived; -1 marks an absent value.
 */
record Bid(
    String bidId,
    double amount,
    String phoneNumber,
    String sipAddress,
    long expireInSeconds,
    long bidExpireEpochMs,
    long receivedAtMs,
    boolean cached,
    String rejectReason,
    int rejectCode,
    Map<String, Object> extras) {

  boolean accepted() {
    return amount > 0 && !phoneNumber.isEmpty();
  }

  /** The absolute expiry in epoch ms; the receive time when the bid carries no expiry at all. */
  long expiresAtMs() {
    if (bidExpireEpochMs > 0) {
      return bidExpireEpochMs;
    }
    if (expireInSeconds >= 0) {
      return receivedAtMs + expireInSeconds * 1000;
    }
    return receivedAtMs;
  }

  long lifeLeftMs(long nowMs) {
    return expiresAtMs() - nowMs;
  }
}
