package io.callbridge.config;

import java.time.Duration;
import java.util.List;

/**
 * Lead: TrackDrive's posting instructions, used exactly as TrackDrive generated them, and the
 * durable delivery's retry schedule.
 */
public record LeadSettings(Secret leadToken, String trafficSourceId, String endpointUrl, List<Duration> retrySchedule)
    implements RouteSettings {

  static LeadSettings parse(Node n) {
    Node pi = n.get("postingInstructions");
    Secret token = new Secret(pi.requiredString("leadToken"));
    String trafficSource = pi.requiredString("trafficSourceId");
    String endpoint = pi.requiredString("endpointUrl");
    pi.finish();
    List<Duration> schedule = PostbackSettings.schedule(n);
    return new LeadSettings(token, trafficSource, endpoint, schedule);
  }
}
