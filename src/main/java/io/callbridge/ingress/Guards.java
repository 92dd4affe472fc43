package io.callbridge.ingress;

import io.callbridge.config.RouteConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every public event loop shares about who may call how often: one {@link RateLimiter} per
 * route with a {@code rateLimit}. Made once per gateway and handed to each public server instance,
 * so a limit is the route's, not one loop's share of it.
 */
public final class Guards {
  private final Map<String, RateLimiter> limiters;

  public Guards(List<RouteConfig> routes) {
    Map<String, RateLimiter> m = new HashMap<>();
    for (RouteConfig r : routes) {
      if (r.rateLimit() != null) {
        m.put(r.name(), new RateLimiter(r.rateLimit(), System::nanoTime));
      }
    }
    this.limiters = Map.copyOf(m);
  }

  RateLimiter limiter(String route) {
    return limiters.get(route);
  }
}
