package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.vertx.core.Future;

/**
 * The one way flows send a request to a destination. The returned future never fails: every
 * failure is an {@link Outcome}. Completing {@code cancel} resets the request ({@link Outcome.Cancelled}).
 * {@link Upstream} is the real one; tests can wrap it in a decorator.
 */
public interface UpstreamClient {
  Future<Outcome> send(String destination, OutboundRequest request, Deadline deadline, Future<Void> cancel);

  default Future<Outcome> send(String destination, OutboundRequest request, Deadline deadline) {
    return send(destination, request, deadline, NEVER);
  }

  /** A cancel signal that never fires. */
  Future<Void> NEVER = io.vertx.core.Promise.<Void>promise().future();
}
