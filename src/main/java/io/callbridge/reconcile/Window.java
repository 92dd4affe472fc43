package io.callbridge.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A window's ends as people write them: an ISO instant, or an age before now ({@code 90m}, {@code 24h}, {@code 7d}). */
public final class Window {
  private static final Pattern AGE = Pattern.compile("(\\d+)([smhd])");

  private Window() {}

  /** The instant {@code text} names; {@link IllegalArgumentException} saying what is accepted otherwise. */
  public static Instant instant(String text, Instant now) {
    Matcher m = AGE.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return now.minus(switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("must be an age (24h, 90m, 7d) or an ISO instant, got '" + text + "'");
    }
  }
}
