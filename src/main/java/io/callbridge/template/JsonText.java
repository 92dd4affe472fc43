package io.callbridge.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * CallBridge's one hand-written JSON writer: the bytes it sends (rendered template bodies, the ping
 * answer) are built straight into a {@link StringBuilder}, without wrapping values in JSON objects
 * first. Everything else (admin answers, stored fields) uses Vert.x's codec.
 *
 * <p>Two reasons not to use the codec here: speed on the ping and template paths (measured, see
 * the template and ping benchmarks), and fidelity: Jackson writes a lone surrogate as {@code ?},
 * while {@link #string} escapes it ({@code \ud800}), so every Java string round-trips. U+2028 and
 * U+2029 are escaped too (JavaScript readers).
 *
 * <p>Values: text is a JSON string; integers, booleans and decimals as they are; a double that is a
 * whole number below 10^15 without a fraction ({@code 12.0} → {@code 12}), other finite doubles
 * as {@link Double#toString}, a non-finite one as a string; maps and lists nest (key order kept);
 * anything else is its {@code toString} as a string.
 */
public final class JsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** {@code object} as JSON text (maps and lists nest; key order kept). */
  public static String write(Map<?, ?> object) {
    StringBuilder out = new StringBuilder(384);
    value(out, object);
    return out.toString();
  }

  public static void value(StringBuilder out, Object v) {
    if (v instanceof String s) {
      string(out, s);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        string(out, Double.toString(d));
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d);
      } else {
        out.append(d); // Double.toString is valid JSON, exponent included
      }
    } else if (v instanceof BigDecimal b) {
      out.append(b);
    } else if (v instanceof Values.RawJson r) {
      out.append(r.text());
    } else if (v == null) {
      out.append("null");
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        value(out, e.getValue());
      }
      out.append('}');
    } else if (v instanceof Iterable<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        value(out, item);
      }
      out.append(']');
    } else {
      string(out, String.valueOf(v));
    }
  }

  public static void string(StringBuilder out, String s) {
    out.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c) && c != '\u2028' && c != '\u2029') {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      out.append(s, from, i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
            .append(HEX[c & 15]);
      }
      from = i + 1;
    }
    out.append(s, from, n);
    out.append('"');
  }

  public static String string(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    string(sb, s);
    return sb.toString();
  }
}
