package io.callbridge.ingress;

import io.vertx.core.Future;

/**
 * What a route runs once ingress has authenticated, parsed and bounded the request. A flow never
 * fails for an outcome it can describe: bad input is a 4xx {@link Reply}, an upstream problem is
 * part of the answer. A failed future is a bug and answers 500.
 */
@FunctionalInterface
public interface Flow {
  Future<Reply> handle(Inbound inbound);

  /**
   * Later steps of the same exchange, each served at {@code <route path>/<step>} with the route's
   * tokens, networks, rate limit and deadline (a ring tree's {@code accept}). None by default.
   */
  default java.util.Map<String, Flow> steps() {
    return java.util.Map.of();
  }
}
