package io.callbridge.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** A value that must never be printed or logged: toString() redacts it. */
public record Secret(String value) {
  public static final Secret NONE = new Secret("");

  public boolean isPresent() {
    return !value.isEmpty();
  }

  /** Constant-time comparison, so the time taken does not reveal how much of a guess matched. */
  public boolean matches(String candidate) {
    if (candidate == null || value.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "(none)" : "***";
  }
}
