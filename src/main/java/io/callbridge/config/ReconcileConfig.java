package io.callbridge.config;

import java.net.URI;
import java.util.Map;

/**
 * {@code reconcile}: where each platform's own records of its calls are read from. TrackDrive's
 * calls API through a destination (its Basic key and companies: {@code destination}, default
 * {@code trackdrive}); Ringba's call log with an account id and an API token. {@code schedule:
 * {every: 1h, window: 24h}} runs it on its own (absent: only on demand). Absent: no reconciliation.
 * {@code requestsPerSecond} (each platform, default 5) paces the reads: neither platform publishes a
 * limit for these APIs that we could find, so the reconciler stays well under any plausible one, and
 * a 429 is waited out after its {@code Retry-After}.
 */
public record ReconcileConfig(String trackDriveDestination, int trackDrivePerPage, URI ringbaBaseUrl,
    String ringbaAccountId, Secret ringbaApiToken, int ringbaPageSize, java.time.Duration every,
    java.time.Duration window, double trackDriveRequestsPerSecond, double ringbaRequestsPerSecond) {

  static ReconcileConfig parse(Node n, Map<String, DestinationConfig> destinations) {
    if (n.isMissing()) {
      return null;
    }
    n.only("trackdrive", "ringba", "schedule");
    Node td = n.get("trackdrive");
    td.only("destination", "perPage", "requestsPerSecond");
    String destination = td.string("destination", "trackdrive");
    if (!destinations.containsKey(destination)) {
      td.get("destination").error("unknown destination '" + destination + "' (configured: "
          + String.join(", ", destinations.keySet()) + ")");
    }
    int perPage = td.integer("perPage", 100, 1, 500);
    double tdRate = td.decimal("requestsPerSecond", 5, 0.01, 100);
    Node rb = n.get("ringba");
    rb.only("baseUrl", "accountId", "apiToken", "pageSize", "requestsPerSecond");
    URI base = URI.create("https://api.ringba.com");
    String baseText = rb.string("baseUrl", "https://api.ringba.com");
    try {
      base = URI.create(baseText);
      if (base.getHost() == null || !(base.getScheme().equals("https") || base.getScheme().equals("http"))) {
        rb.get("baseUrl").error("must be an http(s) URL, got '" + baseText + "'");
      }
    } catch (IllegalArgumentException e) {
      rb.get("baseUrl").error("not a URL: " + e.getMessage());
    }
    String account = rb.string("accountId", "");
    Secret token = rb.secret("apiToken", "");
    int pageSize = rb.integer("pageSize", 1000, 1, 1000);
    double rbRate = rb.decimal("requestsPerSecond", 5, 0.01, 100);
    Node sched = n.get("schedule");
    sched.only("every", "window");
    java.time.Duration every = sched.isMissing() ? null : sched.duration("every", java.time.Duration.ofHours(1));
    java.time.Duration window = sched.duration("window", java.time.Duration.ofHours(24));
    if (every != null && (every.isZero() || every.isNegative())) {
      sched.get("every").error("must be above 0");
    }
    return new ReconcileConfig(destination, perPage, base, account, token, pageSize, every, window, tdRate, rbRate);
  }
}
