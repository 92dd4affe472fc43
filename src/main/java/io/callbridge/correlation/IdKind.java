package io.callbridge.correlation;

/**
 * The kinds of id a call is known by. All but {@link #CALLER_ID} are platform ids: each names one
 * call. The caller id is a weak key: it names the most recent call from that number.
 */
public enum IdKind {
  /** TrackDrive's call id (with its company subdomain). */
  CALL_UUID("call_uuid", 1),
  /** Ringba's inbound call id, the key of every Ringba conversion. */
  INBOUND_CALL_ID("inboundCallId", 2),
  /** One Ringba RTB bid. */
  BID_ID("bidId", 3),
  /** TrackDrive's ping answer id. */
  PING_ID("ping_id", 4),
  /** A TrackDrive lead. */
  LEAD_ID("lead_id", 5),
  /** The caller's number, E.164. */
  CALLER_ID("caller_id", 6);

  static final IdKind[] ALL = values();
  static final IdKind[] PLATFORM = {CALL_UUID, INBOUND_CALL_ID, BID_ID, PING_ID, LEAD_ID};

  private final String wireName;
  final short code;

  IdKind(String wireName, int code) {
    this.wireName = wireName;
    this.code = (short) code;
  }

  /** The name the platforms use for it ({@code call_uuid}, {@code inboundCallId}, {@code bidId}...). */
  public String wireName() {
    return wireName;
  }

  /**
   * The key an unmatched postback waits under for an id of this kind ({@code inboundCallId:RGB1},
   * {@code caller_id:+15557779999}); null when {@code value} is no id of this kind.
   */
  public String key(String value) {
    String v = normalize(value);
    return v == null ? null : wireName + ":" + v;
  }

  public boolean isPlatformId() {
    return this != CALLER_ID;
  }

  static IdKind ofCode(short code) {
    return ALL[code - 1];
  }

  /** Longer than this is not an id any platform issues; such a value is treated as absent. */
  static final int MAX_LENGTH = 256;

  /**
   * The value as it is keyed: trimmed; caller ids in E.164; null when empty, too long, or holding
   * a NUL (PostgreSQL text refuses it, and one such row would fail every batch it is in).
   */
  String normalize(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > MAX_LENGTH || v.indexOf('\0') >= 0) {
      return null;
    }
    return this == CALLER_ID ? e164(v) : v;
  }

  /**
   * Caller ids drift between {@code +15557779999}, {@code 15557779999} and {@code 5557779999}; keys
   * must not. Ten digits are taken as North American (both platforms' home), anything else keeps its
   * digits behind a '+'. Flows should already pass E.164; this only makes the key stable.
   */
  static String e164(String v) {
    StringBuilder digits = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      }
    }
    if (digits.length() < 7) {
      return null;
    }
    if (!v.startsWith("+") && digits.length() == 10) {
      return "+1" + digits;
    }
    return "+" + digits;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
