package io.callbridge.config;

import java.time.Duration;
import java.util.List;

/**
 * Lead: TrackDrive's posting instructions, used exactly as TrackDrive generated them, the durable
 * delivery's retry schedule, and the lead's freshness: an offer-token lead attaches its data to the
 * *next* call from that caller id (TrackDrive API leads/create), so a lead still undelivered this
 * long after it arrived is not sent at all (dead, reason stale) rather than land on a later call.
 */
public record LeadSettings(Secret leadToken, String trafficSourceId, String endpointUrl, List<Duration> retrySchedule,
    Duration freshness) implements RouteSettings {
  public static final Duration DEFAULT_FRESHNESS = Duration.ofMinutes(10);

  static LeadSettings parse(Node n) {
    Node pi = n.get("postingInstructions");
    Secret token = new Secret(pi.requiredString("leadToken"));
    String trafficSource = pi.requiredString("trafficSourceId");
    String endpoint = pi.requiredString("endpointUrl");
    pi.finish();
    List<Duration> schedule = PostbackSettings.schedule(n);
    Duration freshness = n.duration("freshness", DEFAULT_FRESHNESS);
    if (freshness.isZero() || freshness.isNegative()) {
      n.get("freshness").error("must be positive (how long a lead may wait for delivery, e.g. 10m)");
    }
    return new LeadSettings(token, trafficSource, endpoint, schedule, freshness);
  }
}
