package io.callbridge.correlation;

/**
 * Compact forms of id values inside a {@link CallRecord}: the platforms' ids are ASCII with long
 * hex or decimal runs, so a TrackDrive UUID packs to 16 bytes, a Ringba {@code RTB}+32 hex id to
 * 21, an E.164 caller id to 8. Anything else is kept as Latin-1 (or UTF-16) bytes, so every string
 * round-trips exactly. {@link #matches} compares a query with a packed value without decoding it,
 * so a cached lookup allocates nothing.
 */
final class IdCodec {
  private IdCodec() {}

  static final int LATIN1 = 0; // [len][bytes]
  static final int UTF16 = 1; // [len][2 bytes per char]
  static final int UUID_LOWER = 2; // [16 bytes]
  static final int UUID_UPPER = 3;
  static final int HEX_LOWER = 4; // [prefix len][prefix Latin-1][n bytes][n bytes: 2n hex digits]
  static final int HEX_UPPER = 5;
  static final int DECIMAL = 6; // [prefix len][prefix Latin-1][digit count][varint value]

  private static final char[] LOWER = "0123456789abcdef".toCharArray();
  private static final char[] UPPER = "0123456789ABCDEF".toCharArray();
  private static final int MAX_DIGITS = 18; // 10^18 - 1 fits a long
  /** A byte as its two hex chars, {@code hi << 16 | lo}: one lookup and one compare per byte when matching. */
  private static final int[] LOWER_PAIRS = pairs(LOWER);
  private static final int[] UPPER_PAIRS = pairs(UPPER);
  /** Where each byte's two hex chars start in a canonical UUID. */
  private static final int[] UUID_OFFSETS = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  /**
   * What each ASCII char is, as bits: a decimal digit, a lower-case hex letter, an upper-case one (0:
   * none of them), and its value as a hex digit. Tables rather than range tests: ids mix digits and
   * letters at random, so per-char branches would mostly be mispredicted.
   */
  private static final int DIGIT = 1;
  private static final int LOWER_HEX = 2;
  private static final int UPPER_HEX = 4;
  private static final byte[] HEX_CLASS = new byte[128];
  private static final byte[] NIBBLE = new byte[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      HEX_CLASS[c] = DIGIT;
      NIBBLE[c] = (byte) (c - '0');
    }
    for (char c = 'a'; c <= 'f'; c++) {
      HEX_CLASS[c] = LOWER_HEX;
      HEX_CLASS[c - 'a' + 'A'] = UPPER_HEX;
      NIBBLE[c] = (byte) (c - 'a' + 10);
      NIBBLE[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
    }
  }

  /** The {@code HEX_CLASS} bits of {@code c}. */
  private static int hexClass(char c) {
    return c < 128 ? HEX_CLASS[c] : 0;
  }

  private static int[] pairs(char[] digits) {
    int[] pairs = new int[256];
    for (int b = 0; b < 256; b++) {
      pairs[b] = digits[b >> 4] << 16 | digits[b & 0xF];
    }
    return pairs;
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding: the writer side (link, fill), allowed to allocate.

  /** A growable byte buffer for packing one record. */
  static final class Out {
    byte[] buf = new byte[128];
    int len;

    void put(int b) {
      if (len == buf.length) {
        buf = java.util.Arrays.copyOf(buf, len * 2);
      }
      buf[len++] = (byte) b;
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        put((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      put((int) v);
    }

    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    byte[] toArray() {
      return java.util.Arrays.copyOf(buf, len);
    }
  }

  /** Appends the smallest form of {@code v}; answers its encoding. */
  static int encode(String v, Out out, int headerPos) {
    int n = v.length();
    int enc;
    int uuid = uuidCase(v);
    if (uuid != 0) {
      enc = uuid == 1 ? UUID_LOWER : UUID_UPPER;
      out.buf[headerPos] |= (byte) enc;
      for (int o : UUID_OFFSETS) {
        out.put((nibble(v.charAt(o)) << 4) | nibble(v.charAt(o + 1)));
      }
      return enc;
    }
    if (!latin1(v)) {
      out.buf[headerPos] |= (byte) UTF16;
      out.varint(n);
      for (int i = 0; i < n; i++) {
        char c = v.charAt(i);
        out.put(c >>> 8);
        out.put(c);
      }
      return UTF16;
    }
    // A trailing run of hex digits of one case, or of decimal digits, behind a short prefix.
    int hexStart = hexRunStart(v);
    int hexDigits = (n - hexStart) & ~1;
    boolean hexOk = hexDigits >= 4 && n - hexDigits <= 255;
    int hexSize = hexOk ? 1 + (n - hexDigits) + 1 + hexDigits / 2 : Integer.MAX_VALUE;
    int decStart = n;
    while (decStart > 0 && n - decStart < MAX_DIGITS && isDigit(v.charAt(decStart - 1))) {
      decStart--;
    }
    int decDigits = n - decStart;
    long dec = decDigits == 0 ? 0 : Long.parseLong(v, decStart, n, 10);
    int decSize = 1 + decStart + 1 + varintSize(dec);
    int rawSize = varintSize(n) + n;
    if (decDigits > 0 && decStart <= 255 && decSize < rawSize && decSize <= hexSize) {
      out.buf[headerPos] |= (byte) DECIMAL;
      prefix(v, decStart, out);
      out.put(decDigits);
      out.varint(dec);
      return DECIMAL;
    }
    if (hexOk && hexSize < rawSize) {
      int start = n - hexDigits;
      enc = hasUpper(v, start) ? HEX_UPPER : HEX_LOWER;
      out.buf[headerPos] |= (byte) enc;
      prefix(v, start, out);
      out.put(hexDigits / 2);
      for (int i = start; i < n; i += 2) {
        out.put((nibble(v.charAt(i)) << 4) | nibble(v.charAt(i + 1)));
      }
      return enc;
    }
    out.varint(n);
    for (int i = 0; i < n; i++) {
      out.put(v.charAt(i));
    }
    return LATIN1;
  }

  private static void prefix(String v, int len, Out out) {
    out.put(len);
    for (int i = 0; i < len; i++) {
      out.put(v.charAt(i));
    }
  }

  /** 1: a canonical lower-case UUID, 2: upper-case, 0: not a UUID of one case. */
  private static int uuidCase(String v) {
    if (v.length() != 36) {
      return 0;
    }
    int seen = 0;
    for (int i = 0; i < 36; i++) {
      char c = v.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return 0;
        }
        continue;
      }
      int cls = hexClass(c);
      if (cls == 0) {
        return 0;
      }
      seen |= cls;
    }
    return (seen & (LOWER_HEX | UPPER_HEX)) == (LOWER_HEX | UPPER_HEX) ? 0 : (seen & UPPER_HEX) != 0 ? 2 : 1;
  }

  /** Where the longest trailing run of hex digits of a single letter case starts. */
  private static int hexRunStart(String v) {
    int i = v.length();
    int seen = 0;
    while (i > 0) {
      int cls = hexClass(v.charAt(i - 1));
      seen |= cls;
      if (cls == 0 || (seen & (LOWER_HEX | UPPER_HEX)) == (LOWER_HEX | UPPER_HEX)) {
        break;
      }
      i--;
    }
    return i;
  }

  private static boolean hasUpper(String v, int from) {
    int seen = 0;
    for (int i = from; i < v.length(); i++) {
      seen |= hexClass(v.charAt(i));
    }
    return (seen & UPPER_HEX) != 0;
  }

  private static boolean latin1(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) > 0xFF) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The value of a hex digit (only ever asked of one). */
  private static int nibble(char c) {
    return NIBBLE[c];
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading: positions are passed around as ints; helpers answer the position after what they read.

  static long readVarint(byte[] b, int[] pos) {
    long v = 0;
    int shift = 0;
    int p = pos[0];
    while (true) {
      byte x = b[p++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        break;
      }
      shift += 7;
    }
    pos[0] = p;
    return v;
  }

  static long readZigzag(byte[] b, int[] pos) {
    long v = readVarint(b, pos);
    return (v >>> 1) ^ -(v & 1);
  }

  /** Skips a varint without allocating. */
  static int skipVarint(byte[] b, int p) {
    while (b[p++] < 0) {
      // continuation bit set
    }
    return p;
  }

  /** Position after the value of encoding {@code enc} at {@code p}. */
  static int skipValue(byte[] b, int p, int enc) {
    switch (enc) {
      case UUID_LOWER, UUID_UPPER -> {
        return p + 16;
      }
      case HEX_LOWER, HEX_UPPER -> {
        p += 1 + (b[p] & 0xFF);
        return p + 1 + (b[p] & 0xFF);
      }
      case DECIMAL -> {
        p += 1 + (b[p] & 0xFF);
        return skipVarint(b, p + 1);
      }
      default -> {
        int len = 0;
        int shift = 0;
        byte x;
        do {
          x = b[p++];
          len |= (x & 0x7F) << shift;
          shift += 7;
        } while (x < 0);
        return p + (enc == UTF16 ? 2 * len : len);
      }
    }
  }

  static String decode(byte[] b, int p, int enc) {
    char[] out = new char[length(b, p, enc)];
    decode(b, p, enc, out);
    return new String(out);
  }

  /** How many chars the value of encoding {@code enc} at {@code p} decodes to. */
  static int length(byte[] b, int p, int enc) {
    switch (enc) {
      case UUID_LOWER, UUID_UPPER -> {
        return 36;
      }
      case HEX_LOWER, HEX_UPPER -> {
        int plen = b[p] & 0xFF;
        return plen + 2 * (b[p + 1 + plen] & 0xFF);
      }
      case DECIMAL -> {
        int plen = b[p] & 0xFF;
        return plen + (b[p + 1 + plen] & 0xFF);
      }
      default -> {
        return (int) readVarint(b, new int[] {p});
      }
    }
  }

  /** Decodes the value at {@code p} into {@code out} (at least {@link #length} long); answers its length. */
  static int decode(byte[] b, int p, int enc, char[] out) {
    switch (enc) {
      case UUID_LOWER, UUID_UPPER -> {
        char[] digits = enc == UUID_LOWER ? LOWER : UPPER;
        int o = 0;
        for (int i = 0; i < 16; i++) {
          if (o == 8 || o == 13 || o == 18 || o == 23) {
            out[o++] = '-';
          }
          out[o++] = digits[(b[p + i] >> 4) & 0xF];
          out[o++] = digits[b[p + i] & 0xF];
        }
        return 36;
      }
      case HEX_LOWER, HEX_UPPER -> {
        char[] digits = enc == HEX_LOWER ? LOWER : UPPER;
        int plen = b[p] & 0xFF;
        int nbytes = b[p + 1 + plen] & 0xFF;
        for (int i = 0; i < plen; i++) {
          out[i] = (char) (b[p + 1 + i] & 0xFF);
        }
        int q = p + 2 + plen;
        for (int i = 0; i < nbytes; i++) {
          out[plen + 2 * i] = digits[(b[q + i] >> 4) & 0xF];
          out[plen + 2 * i + 1] = digits[b[q + i] & 0xF];
        }
        return plen + 2 * nbytes;
      }
      case DECIMAL -> {
        int plen = b[p] & 0xFF;
        int count = b[p + 1 + plen] & 0xFF;
        int[] pos = {p + 2 + plen};
        long value = readVarint(b, pos);
        for (int i = 0; i < plen; i++) {
          out[i] = (char) (b[p + 1 + i] & 0xFF);
        }
        for (int i = plen + count - 1; i >= plen; i--) {
          out[i] = (char) ('0' + value % 10);
          value /= 10;
        }
        return plen + count;
      }
      default -> {
        int[] pos = {p};
        int len = (int) readVarint(b, pos);
        int q = pos[0];
        for (int i = 0; i < len; i++) {
          out[i] = enc == UTF16 ? (char) (((b[q + 2 * i] & 0xFF) << 8) | (b[q + 2 * i + 1] & 0xFF)) : (char) (b[q + i] & 0xFF);
        }
        return len;
      }
    }
  }

  /** Whether the packed value at {@code p} is {@code v}; allocates nothing. */
  static boolean matches(byte[] b, int p, int enc, String v) {
    int n = v.length();
    switch (enc) {
      case UUID_LOWER, UUID_UPPER -> {
        if (n != 36 || v.charAt(8) != '-' || v.charAt(13) != '-' || v.charAt(18) != '-' || v.charAt(23) != '-') {
          return false;
        }
        int[] pairs = enc == UUID_LOWER ? LOWER_PAIRS : UPPER_PAIRS;
        for (int i = 0; i < 16; i++) {
          int o = UUID_OFFSETS[i];
          if ((v.charAt(o) << 16 | v.charAt(o + 1)) != pairs[b[p + i] & 0xFF]) {
            return false;
          }
        }
        return true;
      }
      case HEX_LOWER, HEX_UPPER -> {
        int plen = b[p] & 0xFF;
        int nbytes = b[p + 1 + plen] & 0xFF;
        if (n != plen + 2 * nbytes || !prefixMatches(b, p + 1, plen, v)) {
          return false;
        }
        int[] pairs = enc == HEX_LOWER ? LOWER_PAIRS : UPPER_PAIRS;
        int q = p + 2 + plen;
        for (int i = 0; i < nbytes; i++) {
          int o = plen + 2 * i;
          if ((v.charAt(o) << 16 | v.charAt(o + 1)) != pairs[b[q + i] & 0xFF]) {
            return false;
          }
        }
        return true;
      }
      case DECIMAL -> {
        int plen = b[p] & 0xFF;
        int count = b[p + 1 + plen] & 0xFF;
        if (n != plen + count || !prefixMatches(b, p + 1, plen, v)) {
          return false;
        }
        long value = 0;
        for (int i = plen; i < n; i++) {
          char c = v.charAt(i);
          if (!isDigit(c)) {
            return false;
          }
          value = value * 10 + (c - '0');
        }
        long stored = 0;
        int shift = 0;
        int q = p + 2 + plen;
        byte x;
        do {
          x = b[q++];
          stored |= (long) (x & 0x7F) << shift;
          shift += 7;
        } while (x < 0);
        return value == stored;
      }
      default -> {
        int len = 0;
        int shift = 0;
        byte x;
        int q = p;
        do {
          x = b[q++];
          len |= (x & 0x7F) << shift;
          shift += 7;
        } while (x < 0);
        if (len != n) {
          return false;
        }
        for (int i = 0; i < n; i++) {
          char c = enc == UTF16 ? (char) (((b[q + 2 * i] & 0xFF) << 8) | (b[q + 2 * i + 1] & 0xFF)) : (char) (b[q + i] & 0xFF);
          if (c != v.charAt(i)) {
            return false;
          }
        }
        return true;
      }
    }
  }

  private static boolean prefixMatches(byte[] b, int p, int plen, String v) {
    for (int i = 0; i < plen; i++) {
      if (v.charAt(i) != (char) (b[p + i] & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A 64-bit hash of (kind, value) for the index. Built on {@link String#hashCode()}, which the
   * String computes once and keeps (a flow that looks one id up twice, or a value that was a map key,
   * pays nothing); 32 bits of content are plenty because every hit is verified against the stored id,
   * and the mix spreads them over the segment, tag and home bits.
   */
  static long hash(IdKind kind, String v) {
    return mix(kind, v.hashCode(), v.length());
  }

  /** {@link #hash(IdKind, String)} of the first {@code n} chars of {@code chars}, without making the String. */
  static long hash(IdKind kind, char[] chars, int n) {
    int h = 0;
    for (int i = 0; i < n; i++) {
      h = 31 * h + chars[i]; // String.hashCode's formula, for Latin-1 and UTF-16 strings alike
    }
    return mix(kind, h, n);
  }

  private static long mix(IdKind kind, int stringHash, int length) {
    long h = (stringHash & 0xFFFFFFFFL) | (long) length << 32 | (long) kind.ordinal() << 48;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }
}
