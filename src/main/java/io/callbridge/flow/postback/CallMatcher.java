package io.callbridge.flow.postback;

import io.callbridge.config.RouteConfig;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the other side's id when an inbound postback lacks it, through correlation: given the
 * inbound fields, answers the fields to add (e.g. {@code trackdrive_call_uuid},
 * {@code trackdrive_subdomain}), none when the call is unknown, or why it is ambiguous (several
 * calls are plausible: the postback is then held, never credited to a guess). Never fails for a miss.
 */
@FunctionalInterface
public interface CallMatcher {
  CallMatcher NONE = (route, fields) -> Future.succeededFuture(Match.NONE);

  Future<Match> match(RouteConfig route, Map<String, Object> fields);

  /** The fields that name the call, or why no one call can be named ({@code ambiguous}). */
  record Match(Map<String, Object> fields, Optional<String> ambiguous) {
    public static final Match NONE = new Match(Map.of(), Optional.empty());

    public static Match of(Map<String, Object> fields) {
      return new Match(Map.copyOf(fields), Optional.empty());
    }

    public static Match ambiguous(String why) {
      return new Match(Map.of(), Optional.of(why));
    }
  }
}
