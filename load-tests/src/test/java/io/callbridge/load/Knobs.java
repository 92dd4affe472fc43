package io.callbridge.load;

import java.time.Duration;

/**
 * What a run is told through system properties (run.sh passes them; every one has a default):
 * {@code rate} (arrivals per second), {@code duration} (seconds at that rate), {@code ramp}
 * (seconds from 1/s up to the rate), {@code gateway} and {@code admin} (base URLs, loopback only),
 * {@code token}, and the assertion bounds {@code p99Ms} and {@code maxErrorPct}.
 */
final class Knobs {
  private Knobs() {}

  static final String GATEWAY = loopback("gateway", "http://127.0.0.1:8080");
  static final String ADMIN = loopback("admin", "http://127.0.0.1:9090");
  static final String TOKEN = System.getProperty("token", "demo");

  static double rate(double fallback) {
    double r = Double.parseDouble(System.getProperty("rate", Double.toString(fallback)));
    if (!(r > 0 && r <= 5000)) {
      throw new IllegalArgumentException("rate must be in (0, 5000] arrivals/s, not " + r);
    }
    return r;
  }

  static Duration duration(int fallbackSeconds) {
    int s = Integer.parseInt(System.getProperty("duration", Integer.toString(fallbackSeconds)));
    if (s < 1 || s > 600) {
      throw new IllegalArgumentException("duration must be 1..600 s, not " + s);
    }
    return Duration.ofSeconds(s);
  }

  static Duration ramp(int fallbackSeconds) {
    return Duration.ofSeconds(Math.max(0, Integer.parseInt(System.getProperty("ramp", Integer.toString(fallbackSeconds)))));
  }

  static int p99Ms(int fallback) {
    return Integer.parseInt(System.getProperty("p99Ms", Integer.toString(fallback)));
  }

  static double maxErrorPct(double fallback) {
    return Double.parseDouble(System.getProperty("maxErrorPct", Double.toString(fallback)));
  }

  /** A base URL from a property, refused unless its host is on this machine's loopback. */
  private static String loopback(String property, String fallback) {
    String url = System.getProperty(property, fallback);
    String host = java.net.URI.create(url).getHost();
    if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
      throw new IllegalArgumentException(property + "=" + url + ": load tests only target loopback addresses");
    }
    return url;
  }
}
