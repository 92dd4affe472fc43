package io.callbridge.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A route: the unit of configuration. It listens on {@code /v1/<kind segment>/<name>}, accepts
 * callers holding one of its {@code tokens}, runs its flow inside {@code deadline} and sends to
 * its targets. {@code allowFrom} (empty: anywhere) are the networks callers may come from;
 * {@code rateLimit} (null: none) how often they may call.
 */
public record RouteConfig(
    String name,
    RouteKind kind,
    Tokens tokens,
    Duration deadline,
    Duration replyReserve,
    List<String> required,
    List<TargetConfig> targets,
    RouteSettings settings,
    List<Cidr> allowFrom,
    RateLimit rateLimit) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  public String path() {
    return "/v1/" + kind.segment() + "/" + name;
  }

  @SuppressWarnings("unchecked")
  public <S extends RouteSettings> S settingsAs(Class<S> type) {
    return (S) type.cast(settings);
  }

  static RouteConfig parse(Node n) {
    String name = n.requiredString("name");
    if (!name.isEmpty() && !NAME.matcher(name).matches()) {
      n.get("name").error("must be lowercase letters, digits, '-' or '_' (it becomes part of the URL), got '" + name + "'");
    }
    RouteKind kind = n.choice("kind", null, RouteKind::fromYaml, RouteKind.allowed());
    if (kind == null && !n.has("kind")) {
      n.get("kind").error("is required (one of: " + RouteKind.allowed() + ")");
    }
    Tokens tokens = Tokens.parseRoute(n.get("auth"));
    List<Cidr> allowFrom = Cidr.list(n, "allowFrom");
    RateLimit rateLimit = RateLimit.parse(n.get("rateLimit"));
    Duration deadline = n.duration("deadline", defaultDeadline(kind));
    Duration reserve = n.duration("replyReserve", Duration.ofMillis(20));
    if (reserve.compareTo(deadline) >= 0) {
      n.get("replyReserve").error("must be shorter than the deadline (" + deadline.toMillis() + "ms)");
    }
    List<String> required = n.has("required") ? n.strings("required") : defaultRequired(kind);
    List<TargetConfig> targets = new ArrayList<>();
    for (Node t : n.get("targets").items()) {
      targets.add(TargetConfig.parse(t));
    }
    RouteSettings settings = kind == null ? null : RouteSettings.parse(kind, n);
    n.finish();
    return new RouteConfig(name, kind, tokens, deadline, reserve, required, List.copyOf(targets), settings, allowFrom,
        rateLimit);
  }

  private static Duration defaultDeadline(RouteKind kind) {
    if (kind == null) {
      return Duration.ofSeconds(1);
    }
    return switch (kind) {
      case ENRICH -> Duration.ofMillis(800);
      case PING, RING_TREE -> Duration.ofMillis(1000);
      case LEAD, POSTBACK -> Duration.ofSeconds(5);
    };
  }

  private static List<String> defaultRequired(RouteKind kind) {
    if (kind == null) {
      return List.of();
    }
    return switch (kind) {
      case ENRICH, PING -> List.of("caller_id", "call_uuid");
      // Ringba's own names for a ping's caller id (its RTB pages) and its call id ([Call:InboundCallId]).
      case RING_TREE -> List.of("CID", "inboundCallId");
      case LEAD -> List.of("caller_id", "inbound_call_id");
      case POSTBACK -> List.of();
    };
  }
}
