package io.callbridge.sim;

import java.util.Optional;

/** The caller id formats both platforms accept: +15557779999, 15557779999, 5557779999 (NANP) or any E.164. */
final class Phone {
  private Phone() {}

  static Optional<String> e164(Object raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String s = String.valueOf(raw).trim();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    boolean plus = s.startsWith("+");
    String digits = s.replaceAll("[\\s().-]", "");
    if (plus) {
      digits = digits.substring(1);
    }
    if (!digits.matches("\\d+")) {
      return Optional.empty();
    }
    if (!plus && digits.length() == 10) {
      return Optional.of("+1" + digits);
    }
    if (!plus && digits.length() == 11 && digits.startsWith("1")) {
      return Optional.of("+" + digits);
    }
    if (plus && digits.length() >= 8 && digits.length() <= 15) {
      return Optional.of("+" + digits);
    }
    return Optional.empty();
  }
}
