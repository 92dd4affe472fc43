package io.callbridge.config;

import java.time.Duration;
import java.util.Map;

/**
 * The durable delivery's switches, from {@code outbox:}: {@code delivery} (on: this instance
 * delivers; off: it only accepts and stores, e.g. an ingest-only instance or a benchmark) and
 * {@code leaseMargin} (a claimed row's lease is the longest destination request timeout plus this) and
 * {@code rematchWindow} (how long an {@code unmatched} postback keeps looking its call up again by
 * itself, on a back-off schedule; past it, it waits for an operator) and {@code ingestStuckAfter}
 * (postbacks waiting this long for a commit, with no batch answered meanwhile, make the instance
 * unready).
 * The environment overrides both: {@code CALLBRIDGE_OUTBOX_DELIVERY=on|off} and
 * {@code CALLBRIDGE_OUTBOX_LEASE_MARGIN_MS}.
 */
public record OutboxConfig(boolean delivery, Duration leaseMargin, Duration rematchWindow, Duration ingestStuckAfter) {
  public static final Duration DEFAULT_REMATCH_WINDOW = Duration.ofHours(48);

  public static OutboxConfig defaults() {
    return new OutboxConfig(true, Duration.ofSeconds(15), DEFAULT_REMATCH_WINDOW, Duration.ofSeconds(30));
  }

  public OutboxConfig withDelivery(boolean on) {
    return new OutboxConfig(on, leaseMargin, rematchWindow, ingestStuckAfter);
  }

  static OutboxConfig parse(Node n, Map<String, String> env) {
    boolean delivery = n.bool("delivery", true);
    Duration margin = n.duration("leaseMargin", Duration.ofSeconds(15));
    Duration rematch = n.duration("rematchWindow", DEFAULT_REMATCH_WINDOW);
    Duration stuck = n.duration("ingestStuckAfter", Duration.ofSeconds(30));
    n.finish();
    String d = env.get("CALLBRIDGE_OUTBOX_DELIVERY");
    if (d != null && !d.isBlank()) {
      if (!d.equalsIgnoreCase("on") && !d.equalsIgnoreCase("off")) {
        n.error("CALLBRIDGE_OUTBOX_DELIVERY must be on or off, got '" + d + "'");
      }
      delivery = !d.equalsIgnoreCase("off");
    }
    String m = env.get("CALLBRIDGE_OUTBOX_LEASE_MARGIN_MS");
    if (m != null && !m.isBlank()) {
      try {
        margin = Duration.ofMillis(Long.parseLong(m.trim()));
      } catch (NumberFormatException e) {
        n.error("CALLBRIDGE_OUTBOX_LEASE_MARGIN_MS must be a whole number of milliseconds, got '" + m + "'");
      }
    }
    return new OutboxConfig(delivery, margin, rematch, stuck);
  }
}
