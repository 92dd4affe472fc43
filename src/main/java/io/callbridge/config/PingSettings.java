package io.callbridge.config;

import java.util.Map;

/**
 * Ping: the lowest acceptable {@code floor}, the life a bid must have left to be transferred in
 * time ({@code minTransferSeconds}), the duration TrackDrive is told ({@code conversionSeconds}),
 * the number format of the answer, route attributes, the ping shield and an optional answer template.
 */
public record PingSettings(
    double floor,
    int minTransferSeconds,
    int conversionSeconds,
    String numberFormat,
    Map<String, String> attributes,
    boolean shield,
    String answerTemplate) implements RouteSettings {

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
    return new PingSettings(floor, minTransfer, conversion, format, attributes, shield, answer);
  }
}
