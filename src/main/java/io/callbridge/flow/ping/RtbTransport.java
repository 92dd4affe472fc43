package io.callbridge.flow.ping;

import io.callbridge.upstream.Deadline;
import io.vertx.core.Future;

/**
 * Sends one bid request to one configured target within {@code budget}; the returned future
 * never fails. When the budget ends the HTTP request itself is cancelled, not only the future.
 * The one seam between the ping flow and the outbound core.
 */
interface RtbTransport {
  Future<Exchange> send(int target, PingRequest request, Deadline budget);
}
