package io.callbridge.flow.postback;

import io.callbridge.config.RouteConfig;
import io.vertx.core.Future;
import java.util.Map;

/**
 * Finds the other side's id when an inbound postback lacks it, through correlation: given the
 * inbound fields, answers the fields to add (e.g. {@code trackdrive_call_uuid},
 * {@code trackdrive_subdomain}), or an empty map when the call is unknown. Never fails for a miss.
 */
@FunctionalInterface
public interface CallMatcher {
  CallMatcher NONE = (route, fields) -> Future.succeededFuture(Map.of());

  Future<Map<String, Object>> match(RouteConfig route, Map<String, Object> fields);
}
