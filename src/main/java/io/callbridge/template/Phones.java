package io.callbridge.template;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Optional;

/**
 * Caller ids in the three shapes the platforms use: {@code +15557779999} (e164), {@code 15557779999}
 * (digits11: country code and national number) and {@code 5557779999} (digits10: national number).
 * Input is read with libphonenumber in the configured default region. North American numbers (the
 * common case) take a fast path that agrees with libphonenumber; anything else goes through it.
 * A number is accepted when it has a possible length for its country and, in North America, an
 * area code and exchange that start with 2-9.
 */
public final class Phones {
  /** The three output shapes; their names are the template filter names. */
  public enum Format {
    E164, DIGITS11, DIGITS10;

    public static Optional<Format> of(String name) {
      return switch (name) {
        case "e164" -> Optional.of(E164);
        case "digits11" -> Optional.of(DIGITS11);
        case "digits10" -> Optional.of(DIGITS10);
        default -> Optional.empty();
      };
    }
  }

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String region;
  private final boolean nanpRegion;

  public Phones(String region) {
    this.region = region.toUpperCase(Locale.ROOT);
    this.nanpRegion = UTIL.getCountryCodeForRegion(this.region) == 1;
    // libphonenumber reads a region's metadata from the classpath on first use: do it now, at
    // configuration load, not on an event loop during the first request.
    slowE164("+1 202 555 0100");
    try {
      UTIL.parse("0", this.region);
    } catch (NumberParseException expected) {
      // only loading metadata
    }
  }

  public String region() {
    return region;
  }

  /** {@code raw} in {@code format}, or empty when it is not a phone number. */
  public Optional<String> format(String raw, Format format) {
    return Optional.ofNullable(formatOrNull(raw, format));
  }

  /** As {@link #format} without the Optional, for the render path. */
  String formatOrNull(String raw, Format format) {
    String e164 = e164(raw);
    if (e164 == null) {
      return null;
    }
    return switch (format) {
      case E164 -> e164;
      case DIGITS11 -> e164.substring(1);
      case DIGITS10 -> national(e164);
    };
  }

  /** The number in E.164 ({@code +15557779999}), or null. */
  String e164(String raw) {
    if (raw == null) {
      return null;
    }
    String fast = fastNanp(raw);
    if (fast != null) {
      return fast.isEmpty() ? null : fast;
    }
    return slowE164(raw);
  }

  /** libphonenumber alone (the fast path's reference). */
  String slowE164(String raw) {
    try {
      PhoneNumber n = UTIL.parse(raw, region);
      if (UTIL.isPossibleNumberWithReason(n) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
        return null;
      }
      String e164 = UTIL.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
      if (n.getCountryCode() == 1 && !nanpShape(e164, 2)) {
        return null;
      }
      return e164;
    } catch (NumberParseException e) {
      return null;
    }
  }

  private static String national(String e164) {
    if (e164.startsWith("+1")) {
      return e164.substring(2);
    }
    try {
      PhoneNumber n = UTIL.parse(e164, "ZZ");
      return UTIL.getNationalSignificantNumber(n);
    } catch (NumberParseException e) {
      return e164.substring(1);
    }
  }

  /**
   * North American numbers written with digits and common punctuation only. Returns the E.164
   * text, "" for a definitely invalid NANP number, or null when libphonenumber must decide.
   */
  private String fastNanp(String raw) {
    char[] d = new char[11];
    int n = 0;
    boolean plus = false;
    boolean seenDigit = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= '0' && c <= '9') {
        if (n == 11) {
          return null;
        }
        d[n++] = c;
        seenDigit = true;
      } else if (c == '+' && !seenDigit && !plus) {
        plus = true;
      } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
        return null;
      }
    }
    int start;
    if (n == 11 && d[0] == '1' && (plus || nanpRegion)) {
      start = 1;
    } else if (n == 10 && !plus && nanpRegion) {
      start = 0;
    } else {
      return null;
    }
    if (d[start] < '2') {
      // Not an area code: 011 is North America's international prefix ("0112700000" is +27 00000),
      // so only libphonenumber can say what such digits are.
      return null;
    }
    if (d[start + 3] < '2') {
      return "";
    }
    StringBuilder sb = new StringBuilder(12).append("+1");
    sb.append(d, start, 10);
    return sb.toString();
  }

  /** Area code and exchange start with 2-9 ({@code e164} is +1 followed by 10 digits). */
  private static boolean nanpShape(String e164, int offset) {
    return e164.length() == offset + 10 && e164.charAt(offset) >= '2' && e164.charAt(offset + 3) >= '2';
  }
}
