package io.callbridge.template;

import java.math.BigDecimal;
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
      StringBuilder json = new StringBuilder();
      JsonText.value(json, v);
      return json.toString();
    }
    return String.valueOf(v);
  }
}
