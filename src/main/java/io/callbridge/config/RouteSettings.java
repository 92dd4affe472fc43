package io.callbridge.config;

/** What only one kind of route has. Each kind parses its own keys; any other key is an error. */
public sealed interface RouteSettings
    permits EnrichSettings, LeadSettings, PingSettings, RingTreeSettings, PostbackSettings {

  static RouteSettings parse(RouteKind kind, Node route) {
    return switch (kind) {
      case ENRICH -> EnrichSettings.parse(route);
      case LEAD -> LeadSettings.parse(route);
      case PING -> PingSettings.parse(route);
      case RING_TREE -> RingTreeSettings.parse(route);
      case POSTBACK -> PostbackSettings.parse(route);
    };
  }
}
