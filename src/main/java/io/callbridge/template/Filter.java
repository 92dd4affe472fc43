package io.callbridge.template;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The filters a token can carry ({@code [caller_id|e164]}). Each maps a value to a value, or
 * rejects it with a reason ({@code null} result). Text filters return text; {@code number} and
 * {@code bool} return typed values (a JSON number or boolean in a JSON body); {@code json} returns
 * the value's JSON text.
 */
enum Filter {
  E164("a phone number as +15557779999"),
  DIGITS11("a phone number as 15557779999"),
  DIGITS10("a phone number as 5557779999"),
  DIGITS("only the digits"),
  UPPER("upper case"),
  LOWER("lower case"),
  TRIM("without surrounding blanks"),
  NUMBER("a number (a JSON number in a JSON body)"),
  BOOL("true or false (a JSON boolean in a JSON body); accepts true/false, yes/no, 1/0"),
  JSON("the value as JSON text");

  private static final Map<String, Filter> BY_NAME = Arrays.stream(values())
      .collect(Collectors.toMap(Filter::filterName, f -> f));

  final String description;

  Filter(String description) {
    this.description = description;
  }

  String filterName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Filter byName(String name) {
    return BY_NAME.get(name);
  }

  static String known() {
    return Arrays.stream(values()).map(Filter::filterName).collect(Collectors.joining(", "));
  }

  /** The filtered value, or null when the value is not acceptable ({@link #rejection()} says why). */
  Object apply(Object v, Phones phones) {
    return switch (this) {
      case E164 -> phones.formatOrNull(Values.text(v), Phones.Format.E164);
      case DIGITS11 -> phones.formatOrNull(Values.text(v), Phones.Format.DIGITS11);
      case DIGITS10 -> phones.formatOrNull(Values.text(v), Phones.Format.DIGITS10);
      case DIGITS -> digits(Values.text(v));
      case UPPER -> Values.text(v).toUpperCase(Locale.ROOT);
      case LOWER -> Values.text(v).toLowerCase(Locale.ROOT);
      case TRIM -> Values.text(v).strip();
      case NUMBER -> number(v);
      case BOOL -> bool(v);
      case JSON -> {
        StringBuilder sb = new StringBuilder();
        JsonText.value(sb, v);
        yield new Values.RawJson(sb.toString());
      }
    };
  }

  String rejection() {
    return switch (this) {
      case E164, DIGITS11, DIGITS10 -> "not a phone number";
      case NUMBER -> "not a number";
      case BOOL -> "not true or false";
      default -> "not acceptable";
    };
  }

  private static String digits(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static Object number(Object v) {
    if (v instanceof Number) {
      return v;
    }
    String s = Values.text(v).strip();
    if (!isJsonNumber(s)) {
      return null;
    }
    return new BigDecimal(s);
  }

  /** The JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? (by hand: this is on the render path). */
  static boolean isJsonNumber(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    if (i >= n) {
      return false;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
    } else {
      return false;
    }
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int start = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static Object bool(Object v) {
    if (v instanceof Boolean) {
      return v;
    }
    return switch (Values.text(v).strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "y", "on" -> Boolean.TRUE;
      case "false", "no", "0", "n", "off" -> Boolean.FALSE;
      default -> null;
    };
  }
}
