package io.callbridge.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Postback: which inbound field carries the call id, the event kind, the idempotency key's fields,
 * the retry schedule (the configured count is the count that happens), jitter, the settle window,
 * whether the destination accepts one conversion per call (Ringba's rule), the fields that must be
 * amounts when present, and the fields that may find the call through correlation when
 * {@code callIdField} is absent ({@code matchBy}: an id kind such as {@code inboundCallId}, or
 * {@code field=kind}); {@code callIdKind} is the kind of id {@code callIdField} holds;
 * {@code conversion}, when the event counts as a conversion (see {@link ConversionRule}: its verdict
 * is the {@code [converted]} token, and on a once-per-call route an event that is no conversion is
 * stored as {@code skipped} and never sent); {@code subdomainField}, the inbound field with the
 * TrackDrive company of the call, for destinations whose host is per call.
 */
public record PostbackSettings(
    String callIdField,
    String eventKind,
    List<String> idempotencyKey,
    List<Duration> retrySchedule,
    double jitter,
    Duration settleWindow,
    boolean oncePerCall,
    List<String> amountFields,
    String callIdKind,
    List<String> matchBy,
    ConversionRule conversion,
    String subdomainField) implements RouteSettings {

  /** The id kinds correlation knows, by the platforms' names for them. */
  public static final List<String> ID_KINDS = List.of("call_uuid", "inboundCallId", "bidId", "ping_id", "lead_id",
      "caller_id");

  public static final List<Duration> DEFAULT_SCHEDULE = List.of(
      Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
      Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));

  static PostbackSettings parse(Node n) {
    String callIdField = n.requiredString("callIdField");
    String eventKind = n.string("eventKind", "conversion");
    List<String> key = n.strings("idempotencyKey");
    List<Duration> schedule = schedule(n);
    double jitter = n.decimal("jitter", 0.2, 0.0, 1.0);
    Duration settle = n.duration("settleWindow", Duration.ZERO);
    boolean once = n.bool("oncePerCall", false);
    List<String> amounts = n.has("amountFields") ? n.strings("amountFields") : List.of("payout", "revenue");
    String lower = callIdField.toLowerCase(java.util.Locale.ROOT);
    String kindDefault = lower.contains("ringba") || lower.contains("inbound") ? "inboundCallId" : "call_uuid";
    String callIdKind = n.string("callIdKind", kindDefault);
    if (!ID_KINDS.contains(callIdKind)) {
      n.get("callIdKind").error("unknown id kind '" + callIdKind + "' (one of " + ID_KINDS + ")");
    }
    List<String> matchBy = n.strings("matchBy");
    Node m = n.get("matchBy");
    List<Node> items = m.isList() ? m.items() : List.of();
    for (int i = 0; i < matchBy.size(); i++) {
      String entry = matchBy.get(i);
      String kind = entry.contains("=") ? entry.substring(entry.indexOf('=') + 1) : entry;
      if (!ID_KINDS.contains(kind)) {
        (i < items.size() ? items.get(i) : m).error("'" + entry + "': name an id kind (" + ID_KINDS
            + "), or map a field to one as field=kind (e.g. ringba_id=inboundCallId)");
      }
    }
    Node targets = n.get("targets");
    int count = targets.isList() ? targets.items().size() : 0;
    if (count != 1 && (targets.isMissing() || targets.isList())) {
      targets.error("a postback route delivers to exactly one target, got " + count);
    }
    ConversionRule conversion = ConversionRule.parse(n.get("conversion"));
    String subdomainField = n.string("subdomainField", "trackdrive_subdomain");
    return new PostbackSettings(callIdField, eventKind, key.isEmpty() ? List.of(callIdField) : key,
        schedule, jitter, settle, once, amounts, callIdKind, matchBy, conversion, subdomainField);
  }

  static List<Duration> schedule(Node n) {
    Node s = n.get("retrySchedule");
    if (s.isMissing()) {
      return DEFAULT_SCHEDULE;
    }
    List<Duration> out = new ArrayList<>();
    for (Node item : s.items()) {
      out.add(item.asDuration(Duration.ZERO));
    }
    if (out.isEmpty()) {
      s.error("must list at least one attempt (e.g. [0s, 5s, 5m])");
    }
    return List.copyOf(out);
  }
}
