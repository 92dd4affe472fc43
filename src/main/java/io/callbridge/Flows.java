package io.callbridge;

import io.callbridge.config.RouteConfig;
import io.callbridge.flow.enrich.EnrichFlow;
import io.callbridge.flow.lead.LeadFlow;
import io.callbridge.flow.ping.PingFlow;
import io.callbridge.flow.postback.PostbackFlow;
import io.callbridge.ingress.Flow;

/** Which flow runs each kind of route. */
final class Flows {
  private Flows() {}

  static Flow create(RouteConfig route, Services services) {
    return switch (route.kind()) {
      case ENRICH -> new EnrichFlow(route, services);
      case LEAD -> new LeadFlow(route, services);
      case PING -> PingFlow.create(route, services);
      case POSTBACK -> PostbackFlow.create(route, services);
    };
  }
}
