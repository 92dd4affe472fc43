package io.callbridge.flow.ping;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Writes the default accepted ping answer straight to bytes: the same text Vert.x's JSON codec
 * makes of the same map (keys in order, strings escaped as Jackson escapes them, doubles as
 * {@link Double#toString}), without wrapping it in JSON objects first on the hottest path. A value
 * that is not a string, number, boolean or map (a list in a bid's extras, a non-finite number) is
 * encoded by the codec.
 */
final class AnswerJson {
  private final StringBuilder out = new StringBuilder(384);

  private AnswerJson() {}

  /** The JSON object {@code answer} encodes to (maps nest; key order kept). */
  static Buffer write(Map<?, ?> answer) {
    AnswerJson json = new AnswerJson();
    json.object(answer);
    return Buffer.buffer(json.out.toString());
  }

  private void object(Map<?, ?> entries) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(String.valueOf(e.getKey()));
      out.append(':');
      value(e.getValue());
    }
    out.append('}');
  }

  /** True when {@link #value} writes {@code v} as it is; doubles must be finite (JSON has no NaN). */
  private static boolean plain(Object v) {
    return v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
        || v instanceof Short || v instanceof Byte || v instanceof BigInteger || v instanceof BigDecimal
        || (v instanceof Double d && Double.isFinite(d)) || (v instanceof Float f && Float.isFinite(f));
  }

  private void value(Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Double d && Double.isFinite(d)) {
      out.append(d.doubleValue());
    } else if (v instanceof Float f && Float.isFinite(f)) {
      out.append(f.floatValue());
    } else if (plain(v)) {
      out.append(v);
    } else if (v instanceof Map<?, ?> m) {
      object(m);
    } else {
      out.append(Json.encode(v));
    }
  }

  private void string(String s) {
    out.append('"');
    int n = s.length();
    int plain = 0;
    while (plain < n) {
      char c = s.charAt(plain);
      if (c == '"' || c == '\\' || c < 0x20) {
        break;
      }
      plain++;
    }
    out.append(s, 0, plain); // most strings need no escape: one copy
    for (int i = plain; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
        }
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** {@code Instant.ofEpochMilli(ms).toString()} without the formatter, for years 1970–9999. */
  static String isoInstant(long epochMs) {
    long sec = Math.floorDiv(epochMs, 1000);
    int milli = (int) Math.floorMod(epochMs, 1000);
    if (sec < 0 || sec >= 253_402_300_800L) {
      return Instant.ofEpochMilli(epochMs).toString();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(24);
    b.append(t.getYear()).append('-');
    two(b, t.getMonthValue()).append('-');
    two(b, t.getDayOfMonth()).append('T');
    two(b, t.getHour()).append(':');
    two(b, t.getMinute()).append(':');
    two(b, t.getSecond());
    if (milli != 0) {
      b.append('.').append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10))
          .append((char) ('0' + milli % 10));
    }
    return b.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder b, int v) {
    return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }
}
