package io.callbridge.reconcile;

import io.callbridge.config.PostbackSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.RouteKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The postback that would set a mismatch right, sent the way the platform that owes it would have
 * sent it — through CallBridge's own postback route for that pattern, so idempotency, corrections
 * (the latest value wins) and Ringba's once-per-call conversion apply as to any postback:
 * <ul>
 *   <li>pattern 1 (Ringba's payout is TrackDrive's revenue): the route whose target renders
 *       {@code trackdrive-update-call}, with Ringba's payout for the TrackDrive call;</li>
 *   <li>pattern 2 (TrackDrive's payout is Ringba's revenue): the route whose target renders
 *       {@code ringba-conversion-webhook}, with TrackDrive's payout for the Ringba call.</li>
 * </ul>
 * A call missing on one side, a duplicate or a call nothing links cannot be fixed by a postback.
 */
public final class Fixes {
  /** What would be sent: the route and the fields of the postback. */
  public record Fix(String pattern, String route, Map<String, Object> fields, String explanation) {
    JsonObject toJson() {
      return new JsonObject().put("pattern", pattern).put("route", route).put("fields", new JsonObject(fields))
          .put("explanation", explanation);
    }
  }

  /** Hands a postback to a route's flow as if its platform had sent it; answers {status, body}. */
  @FunctionalInterface
  public interface Submit {
    Future<JsonObject> submit(String route, Map<String, Object> fields);
  }

  private Fixes() {}

  /** The fix, or the reason there is none (as an exception's message). */
  static Fix of(Mismatch m, List<RouteConfig> routes) {
    boolean fixable = m.kind().equals("amount_differs") || m.kind().equals("converted_one_side");
    if (!fixable || m.trackDriveCall() == null || m.ringbaCall() == null) {
      throw new IllegalArgumentException("a " + m.kind() + " mismatch cannot be fixed by a postback: "
          + "settle it on the platforms (" + m.detail() + ")");
    }
    // The report's words say which pattern differs (ReconcileSql.MISMATCHES).
    boolean pattern1 = m.detail().startsWith("Ringba's payout") || m.detail().startsWith("Ringba paid")
        || m.detail().startsWith("converted on TrackDrive");
    String template = pattern1 ? "trackdrive-update-call" : "ringba-conversion-webhook";
    RouteConfig route = routes.stream().filter(r -> r.kind() == RouteKind.POSTBACK)
        .filter(r -> r.targets().stream().anyMatch(t -> t.template().equals(template))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no postback route renders " + template + ": add one to send the fix"));
    PostbackSettings s = route.settingsAs(PostbackSettings.class);
    Map<String, Object> fields = new LinkedHashMap<>();
    if (pattern1) {
      fields.put(s.callIdField(), m.trackDriveCall());
      if (m.subdomain() != null) {
        fields.put(s.subdomainField(), m.subdomain());
      }
      fields.put(s.conversion().amountField(), amount(m.ringbaPayout()));
      return new Fix("1", route.name(), fields, "TrackDrive call " + m.trackDriveCall() + " gets Ringba's payout "
          + amount(m.ringbaPayout()) + " as its revenue (update_call, the latest value wins)");
    }
    fields.put(s.callIdField(), m.ringbaCall());
    fields.put(s.conversion().amountField(), amount(m.trackDrivePayout()));
    return new Fix("2", route.name(), fields, "Ringba call " + m.ringbaCall() + " gets TrackDrive's payout "
        + amount(m.trackDrivePayout()) + " as its revenue (Ringba takes one conversion per call: a different"
        + " one already there is a conflict to settle in Ringba)");
  }

  private static String amount(java.math.BigDecimal v) {
    return v == null ? "0.00" : v.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  static Optional<String> refusal(Mismatch m, List<RouteConfig> routes) {
    try {
      of(m, routes);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }
}
