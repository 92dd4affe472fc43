package io.callbridge.config;

import java.time.Duration;

/**
 * Enrich: {@code mode} sync answers after the fan-out, async answers 202 at once; {@code accept}
 * says when a sync answer says to go on with the dial; {@code repeatWindow} is how long a repeated
 * {@code call_uuid} gets the first answer instead of a second fan-out.
 */
public record EnrichSettings(Mode mode, AcceptPolicy accept, Duration repeatWindow) implements RouteSettings {
  public enum Mode { SYNC, ASYNC }

  public enum AcceptPolicy { ALWAYS, REQUIRED_TARGETS }

  static EnrichSettings parse(Node n) {
    Mode mode = n.choice("mode", Mode.SYNC,
        s -> switch (s) { case "sync" -> Mode.SYNC; case "async" -> Mode.ASYNC; default -> null; }, "sync, async");
    AcceptPolicy accept = n.choice("accept", AcceptPolicy.ALWAYS,
        s -> switch (s) {
          case "always" -> AcceptPolicy.ALWAYS;
          case "required_targets" -> AcceptPolicy.REQUIRED_TARGETS;
          default -> null;
        }, "always, required_targets");
    Duration repeat = n.duration("repeatWindow", Duration.ofMinutes(10));
    return new EnrichSettings(mode, accept, repeat);
  }
}
