package io.callbridge.template;

import io.vertx.core.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Token values at render time: a String, a Number, a Boolean, a Map or List (from a JSON inbound
 * body), or {@link RawJson} (the {@code json} filter's output). Text forms and JSON forms of each.
 */
final class Values {
  private Values() {}

  /** JSON text that is embedded as is in a JSON body and as text elsewhere. */
  record RawJson(String text) {}

  static boolean isBlank(Object v) {
    return v == null || (v instanceof String s && s.isBlank());
  }

  static String text(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      String plain = Double.toString(d);
      return plain.indexOf('E') < 0 ? plain : BigDecimal.valueOf(d).toPlainString();
    }
    if (v instanceof BigDecimal b) {
      return b.toPlainString();
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof RawJson r) {
      return r.text();
    }
    if (v instanceof Map || v instanceof List) {
      return Json.encode(v);
    }
    return String.valueOf(v);
  }

  /** Appends {@code v} as a JSON value: numbers and booleans stay typed, text is a JSON string. */
  static void appendJson(StringBuilder out, Object v) {
    if (v instanceof String s) {
      JsonText.string(out, s);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        JsonText.string(out, Double.toString(d));
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d);
      } else {
        out.append(d); // Double.toString is valid JSON, exponent included
      }
    } else if (v instanceof BigDecimal b) {
      out.append(b);
    } else if (v instanceof RawJson r) {
      out.append(r.text());
    } else if (v == null) {
      out.append("null");
    } else if (v instanceof Map || v instanceof List) {
      out.append(Json.encode(v));
    } else {
      JsonText.string(out, String.valueOf(v));
    }
  }
}
