package io.callbridge.flow.ping;

import io.vertx.core.json.JsonArray;

/**
 * Where a ping's record goes when its route says {@code recordOutcomes: true}: the verdict and every
 * buyer's bid or refusal, written behind the answer (never awaited), shown with the call's record.
 */
@FunctionalInterface
public interface PingOutcomes {
  PingOutcomes NONE = (route, callUuid, subdomain, accepted, targets) -> { };

  void write(String route, String callUuid, String subdomain, boolean accepted, JsonArray targets);
}
