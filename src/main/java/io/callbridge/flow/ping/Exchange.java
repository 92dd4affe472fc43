package io.callbridge.flow.ping;

import io.vertx.core.buffer.Buffer;

/**
 * What the transport saw for one RTB target, before the body is read as a bid. Never an exception:
 * a slow, refused or broken target is one of these.
 */
record Exchange(Kind kind, int status, Buffer body, long latencyNanos) {

  enum Kind { OK, TIMEOUT, REFUSED, HTTP_ERROR, BREAKER_OPEN, NO_BUDGET, INVALID_RESPONSE }

  static Exchange ok(int status, Buffer body, long latencyNanos) {
    return new Exchange(Kind.OK, status, body, latencyNanos);
  }

  static Exchange failed(Kind kind, int status, long latencyNanos) {
    return new Exchange(kind, status, null, latencyNanos);
  }
}
