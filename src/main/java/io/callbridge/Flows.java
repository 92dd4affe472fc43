package io.callbridge;

import io.callbridge.config.RouteConfig;
import io.callbridge.flow.enrich.EnrichFlow;
import io.callbridge.flow.lead.LeadFlow;
import io.callbridge.flow.ping.PingFlow;
import io.callbridge.flow.ringtree.RingTreeFlow;
import io.callbridge.flow.postback.CallMatcher;
import io.callbridge.flow.postback.PostbackFlow;
import io.callbridge.ingress.Flow;

/**
 * Which flow runs each kind of route, and what each is given: the narrow parts it uses, taken from
 * the gateway's {@link Services} here and nowhere else. Every hook one capability has into another
 * (the outbox telling a lead flow what TrackDrive answered, replay asking a postback flow to look a
 * call up again) is wired here too, so no capability ever calls up into a flow by itself.
 */
public final class Flows {
  private Flows() {}

  /** The flow of {@code route}'s kind. */
  public static Flow create(RouteConfig route, Services s) {
    return switch (route.kind()) {
      case ENRICH -> enrich(route, s);
      case LEAD -> lead(route, s);
      case PING -> ping(route, s);
      case RING_TREE -> RingTreeFlow.create(route, s.templates(), s.upstream().fanOut(), s.correlation(),
          s.metrics(), s.clock());
      case POSTBACK -> postback(route, s);
    };
  }

  public static Flow enrich(RouteConfig route, Services s) {
    return new EnrichFlow(route, s.templates(), s.upstream().fanOut(), s.metrics(), s.correlation(),
        s.enrichRecords());
  }

  public static Flow lead(RouteConfig route, Services s) {
    LeadFlow flow = new LeadFlow(route, s.templates(), destinationOf(route, s), s.outbox(), s.correlation(),
        s.metrics());
    s.outbox().onDelivered(route.name(), flow::delivered);
    return flow;
  }

  public static Flow ping(RouteConfig route, Services s) {
    // A ping's record shares the enrich outcomes' table (one row per call and route), marked mode "ping".
    return PingFlow.create(route, s.templates(), s.upstream().fanOut(), s.correlation(), s.metrics(),
        s.clock(), (name, callUuid, subdomain, accepted, targets) -> {
          if (callUuid != null && !callUuid.isBlank()) {
            s.enrichRecords().write(name, callUuid, subdomain, "ping", accepted, targets);
          }
        });
  }

  /** A postback route whose missing call ids are found through correlation. */
  public static Flow postback(RouteConfig route, Services s) {
    return postback(route, s, PostbackFlow.matcher(s.correlation()));
  }

  public static Flow postback(RouteConfig route, Services s, CallMatcher matcher) {
    PostbackFlow flow = new PostbackFlow(route, s.templates(), destinationOf(route, s), s.outbox(),
        s.outbox().metrics(), matcher);
    s.outbox().rematcher(route.name(), flow.rematcher());
    return flow;
  }

  private static io.callbridge.config.DestinationConfig destinationOf(RouteConfig route, Services s) {
    return s.config().destinations().get(route.targets().get(0).destination());
  }
}
