package io.callbridge.correlation;

import java.time.Instant;

/**
 * The ids one event saw together, for {@link Correlation#link}. Empty or blank values count as
 * absent: a link never erases an id that is already known. Build with {@link #builder()}.
 */
public final class CallLink {
  final String[] ids;
  final String subdomain;
  final double bidAmount;
  final long bidExpiresAtMs;

  private CallLink(Builder b) {
    this.ids = b.ids;
    this.subdomain = blankToNull(b.subdomain);
    this.bidAmount = b.bidAmount;
    this.bidExpiresAtMs = b.bidExpiresAtMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The id of {@code kind} this event saw (normalised), if any. */
  public java.util.Optional<String> id(IdKind kind) {
    return java.util.Optional.ofNullable(ids[kind.ordinal()]);
  }

  public java.util.Optional<String> subdomain() {
    return java.util.Optional.ofNullable(subdomain);
  }

  /** The accepted bid's amount; NaN when the event carried no bid. */
  public double bidAmount() {
    return bidAmount;
  }

  boolean hasPlatformId() {
    for (IdKind k : IdKind.PLATFORM) {
      if (ids[k.ordinal()] != null) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    for (String id : ids) {
      if (id != null) {
        return false;
      }
    }
    return true;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() || s.length() > IdKind.MAX_LENGTH || s.indexOf('\0') >= 0 ? null : s.trim();
  }

  /** Collects the ids of one event. Not thread-safe; build one per event. */
  public static final class Builder {
    private final String[] ids = new String[IdKind.ALL.length];
    private String subdomain;
    private double bidAmount = Double.NaN;
    private long bidExpiresAtMs;

    private Builder() {}

    public Builder id(IdKind kind, String value) {
      ids[kind.ordinal()] = kind.normalize(value);
      return this;
    }

    /** TrackDrive's call id and the company subdomain an {@code update_call} needs. */
    public Builder callUuid(String callUuid, String subdomain) {
      this.subdomain = subdomain;
      return id(IdKind.CALL_UUID, callUuid);
    }

    public Builder callUuid(String callUuid) {
      return id(IdKind.CALL_UUID, callUuid);
    }

    public Builder inboundCallId(String inboundCallId) {
      return id(IdKind.INBOUND_CALL_ID, inboundCallId);
    }

    /** An accepted RTB bid: its id, {@code bidAmount} and expiry (from {@code bidExpireEpoch}). */
    public Builder bid(String bidId, double bidAmount, Instant expiresAt) {
      this.bidAmount = bidAmount;
      this.bidExpiresAtMs = expiresAt == null ? 0 : expiresAt.toEpochMilli();
      return id(IdKind.BID_ID, bidId);
    }

    public Builder pingId(String pingId) {
      return id(IdKind.PING_ID, pingId);
    }

    public Builder leadId(String leadId) {
      return id(IdKind.LEAD_ID, leadId);
    }

    /** The caller's number; normalised to E.164 ({@code 5557779999} → {@code +15557779999}). */
    public Builder callerId(String callerId) {
      return id(IdKind.CALLER_ID, callerId);
    }

    public CallLink build() {
      return new CallLink(this);
    }
  }
}
