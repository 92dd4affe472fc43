package io.callbridge.flow.postback;

import io.callbridge.config.PostbackSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.correlation.CallMatch;
import io.callbridge.correlation.CallRecord;
import io.callbridge.correlation.CallLinks;
import io.callbridge.correlation.IdKind;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the other side's id through correlation: tries the route's {@code matchBy} fields in order
 * and answers {@code callIdField} (and the TrackDrive subdomain when known) from the first call
 * found that has the needed id. A field that names several plausible calls (a caller id with two
 * calls in the window) stops the search: the postback is held as ambiguous, with the candidates.
 */
final class CorrelationMatcher implements CallMatcher {
  private final CallLinks correlation;

  CorrelationMatcher(CallLinks correlation) {
    this.correlation = correlation;
  }

  static IdKind kind(String wireName) {
    return Arrays.stream(IdKind.values()).filter(k -> k.wireName().equals(wireName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown id kind " + wireName));
  }

  @Override
  public Future<Match> match(RouteConfig route, Map<String, Object> fields) {
    PostbackSettings s = route.settingsAs(PostbackSettings.class);
    return tryFrom(s.matchBy(), 0, fields, s.callIdField(), kind(s.callIdKind()));
  }

  private Future<Match> tryFrom(List<String> matchBy, int i, Map<String, Object> fields,
      String callIdField, IdKind needed) {
    if (i >= matchBy.size()) {
      return Future.succeededFuture(Match.NONE);
    }
    String entry = matchBy.get(i);
    String field = entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry;
    IdKind kind = kind(entry.contains("=") ? entry.substring(entry.indexOf('=') + 1) : entry);
    Object value = fields.get(field);
    if (value == null || String.valueOf(value).isBlank()) {
      return tryFrom(matchBy, i + 1, fields, callIdField, needed);
    }
    String given = String.valueOf(value).trim();
    return correlation.match(kind, given, needed).compose(m -> {
      if (m instanceof CallMatch.Ambiguous a) {
        return Future.succeededFuture(Match.ambiguous("ambiguous: " + field + " '" + given + "' names "
            + a.candidates().size() + (a.candidates().size() >= 3 ? " or more" : "") + " calls with a "
            + needed.wireName() + " (" + String.join(", ", a.candidates()) + ", newest first); not credited to a "
            + "guess: give the postback its " + callIdField + ", or replay it once the call is known"));
      }
      Optional<CallRecord> found = m instanceof CallMatch.Found f ? Optional.of(f.call()) : Optional.empty();
      Optional<String> id = found.flatMap(r -> r.id(needed));
      if (id.isEmpty()) {
        return tryFrom(matchBy, i + 1, fields, callIdField, needed);
      }
      Map<String, Object> extra = new HashMap<>();
      extra.put(callIdField, id.get());
      found.flatMap(CallRecord::subdomain).ifPresent(sub -> extra.put("trackdrive_subdomain", sub));
      return Future.succeededFuture(Match.of(extra));
    });
  }
}
