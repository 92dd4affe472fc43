package io.callbridge;

import io.callbridge.config.RouteConfig;
import io.callbridge.flow.postback.PostbackFlow;
import io.callbridge.ingress.Flow;

/** Which flow runs each kind of route. A kind without a flow yet answers 501 at its path. */
final class Flows {
  private Flows() {}

  static Flow create(RouteConfig route, Services services) {
    return switch (route.kind()) {
      case ENRICH, LEAD, PING -> null;
      case POSTBACK -> PostbackFlow.create(route, services);
    };
  }
}
