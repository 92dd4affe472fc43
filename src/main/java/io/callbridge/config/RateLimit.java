package io.callbridge.config;

/**
 * {@code rateLimit: {rate: 200/s, burst: 400, perCallerId: false}}: a token bucket per route (or,
 * with {@code perCallerId}, one per route and caller id as well): {@code burst} requests at once,
 * refilled at {@code rate}. A request over it is answered 429 with {@code Retry-After}.
 */
public record RateLimit(double perSecond, int burst, boolean perCallerId, int maxCallers) {
  static RateLimit parse(Node n) {
    if (n.isMissing()) {
      return null;
    }
    n.only("rate", "burst", "perCallerId", "maxCallers");
    String text = n.requiredString("rate");
    double perSecond = 0;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*(s|m|h))?\\s*")
        .matcher(text);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      perSecond = switch (unit) {
        case "m" -> v / 60;
        case "h" -> v / 3600;
        default -> v;
      };
    }
    if (!text.isEmpty() && (!m.matches() || perSecond <= 0)) {
      n.get("rate").error("must be requests per second, minute or hour above 0 (e.g. 200/s, 30/m), got '" + text + "'");
      perSecond = 1;
    }
    int burst = n.integer("burst", (int) Math.max(1, Math.ceil(perSecond)), 1, 1_000_000);
    boolean perCaller = n.bool("perCallerId", false);
    int maxCallers = n.integer("maxCallers", 100_000, 1, 10_000_000);
    return new RateLimit(perSecond, burst, perCaller, maxCallers);
  }
}
