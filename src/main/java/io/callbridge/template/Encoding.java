package io.callbridge.template;

/**
 * How a rendered value is written where it lands. Path values are one encoded segment ('/' too, so
 * data can never add a segment, a query or a host); query and form values are percent-encoded;
 * header values refuse line breaks.
 */
enum Encoding {
  PATH, QUERY, HEADER, TEXT;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Appends {@code s}; false when it cannot be written here (a line break in a header). */
  boolean append(StringBuilder out, String s) {
    switch (this) {
      case PATH -> {
        if (s.equals(".") || s.equals("..")) {
          out.append(s.equals(".") ? "%2E" : "%2E%2E");
        } else {
          percent(out, s);
        }
        return true;
      }
      case QUERY -> {
        percent(out, s);
        return true;
      }
      case HEADER -> {
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (c == '\r' || c == '\n' || c == 0) {
            return false;
          }
        }
        out.append(s);
        return true;
      }
      default -> {
        out.append(s);
        return true;
      }
    }
  }

  /** RFC 3986 unreserved characters stay; everything else is UTF-8 percent-encoded. */
  static void percent(StringBuilder out, String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.' || c == '~') {
        out.append(c);
      } else if (c < 0x80) {
        hex(out, c);
      } else {
        int cp = c;
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          cp = Character.toCodePoint(c, s.charAt(++i));
        } else if (Character.isSurrogate(c)) {
          cp = 0xFFFD;
        }
        if (cp < 0x800) {
          hex(out, 0xC0 | (cp >> 6));
          hex(out, 0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          hex(out, 0xE0 | (cp >> 12));
          hex(out, 0x80 | ((cp >> 6) & 0x3F));
          hex(out, 0x80 | (cp & 0x3F));
        } else {
          hex(out, 0xF0 | (cp >> 18));
          hex(out, 0x80 | ((cp >> 12) & 0x3F));
          hex(out, 0x80 | ((cp >> 6) & 0x3F));
          hex(out, 0x80 | (cp & 0x3F));
        }
      }
    }
  }

  private static void hex(StringBuilder out, int b) {
    out.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
  }
}
