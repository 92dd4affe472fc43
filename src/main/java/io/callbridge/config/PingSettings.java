package io.callbridge.config;

import java.util.List;
import java.util.Map;

/**
 * Ping: the lowest acceptable {@code floor}, the life a bid must have left to be transferred in
 * time ({@code minTransferSeconds}), the duration TrackDrive is told ({@code conversionSeconds}),
 * the number format of the answer, route attributes, the ping shield and an optional answer template.
 * {@code shieldIgnore} names the inbound fields that identify a call rather than describe the caller
 * (they do not make two pings different); {@code shieldMaxEntries} bounds the shield's memory.
 * {@code tags}: inbound fields passed on to each bid request as tags of their own (the template's
 * {@code "...": "[tags]"}). Per target, {@code floor} and {@code conversionSeconds} override the
 * route's (a buyer's own terms), and a winning bid that quotes its own duration (the answer's
 * {@code bidDurationField}, "duration" unless set: Ringba's RTB page documents no name for it) wins
 * over both.
 */
public record PingSettings(
    double floor,
    int minTransferSeconds,
    int conversionSeconds,
    String numberFormat,
    Map<String, String> attributes,
    boolean shield,
    String answerTemplate,
    List<String> shieldIgnore,
    int shieldMaxEntries,
    List<String> tags,
    String bidDurationField,
    boolean recordOutcomes) implements RouteSettings {

  public static final List<String> DEFAULT_SHIELD_IGNORE =
      List.of("call_uuid", "subdomain", "ping_id", "try_all_buyers_ping_id", "request_id");

  static PingSettings parse(Node n) {
    double floor = n.decimal("floor", 0.0, 0.0, 1_000_000);
    int minTransfer = n.integer("minTransferSeconds", 10, 0, 3600);
    int conversion = n.integer("conversionSeconds", 60, 0, 86_400);
    String format = n.string("numberFormat", "e164");
    if (!format.equals("e164") && !format.equals("digits11") && !format.equals("digits10")) {
      n.get("numberFormat").error("unknown value '" + format + "' (expected one of: e164, digits11, digits10)");
    }
    Map<String, String> attributes = n.stringMap("attributes");
    boolean shield = n.bool("shield", true);
    String answer = n.string("answerTemplate", "");
    List<String> ignore = n.has("shieldIgnore") ? n.strings("shieldIgnore") : DEFAULT_SHIELD_IGNORE;
    int maxEntries = n.integer("shieldMaxEntries", 100_000, 1, 10_000_000);
    List<String> tags = n.strings("tags");
    String durationField = n.string("bidDurationField", "duration");
    // Every ping's per-buyer outcomes written to PostgreSQL behind the answer, for the call's record
    // (the console's timeline). Off by default: it is one more row per ping on the hot path.
    boolean recordOutcomes = n.bool("recordOutcomes", false);
    return new PingSettings(floor, minTransfer, conversion, format, attributes, shield, answer, ignore, maxEntries,
        tags, durationField, recordOutcomes);
  }
}
