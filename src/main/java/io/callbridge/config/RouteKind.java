package io.callbridge.config;

import java.util.Arrays;

/** The five flows. {@code segment} is the path segment: routes listen on {@code /v1/<segment>/<name>}. */
public enum RouteKind {
  ENRICH("enrich", "enrich"),
  LEAD("lead", "leads"),
  PING("ping", "ping"),
  RING_TREE("ring-tree", "ring-tree"),
  POSTBACK("postback", "postbacks");

  private final String yamlName;
  private final String segment;

  RouteKind(String yamlName, String segment) {
    this.yamlName = yamlName;
    this.segment = segment;
  }

  public String yamlName() {
    return yamlName;
  }

  public String segment() {
    return segment;
  }

  /**
   * A durable route answers from its commit's outcome (stored: 2xx; not stored: 503), never from a
   * caller's shorter deadline: a 503 for a row that did commit would make the sender send it again.
   */
  public boolean durable() {
    return this == LEAD || this == POSTBACK;
  }

  static RouteKind fromYaml(String s) {
    return Arrays.stream(values()).filter(k -> k.yamlName.equals(s)).findFirst().orElse(null);
  }

  static String allowed() {
    return "enrich, lead, ping, ring-tree, postback";
  }
}
