package io.callbridge.config;

import java.util.Map;

/**
 * One outbound target of a route: a destination and the template that renders the request.
 * {@code vars} are constants the template can use as tokens (an RTB id, a webhook id, a
 * publisher number id). {@code required} matters to enrich's accept policy. On a ping route a
 * target may carry its buyer's own terms: {@code floor} and {@code conversionSeconds} (absent: the
 * route's).
 */
public record TargetConfig(String name, String destination, String template, Map<String, String> vars, boolean required,
    java.util.OptionalDouble floor, java.util.OptionalInt conversionSeconds) {

  public TargetConfig(String name, String destination, String template, Map<String, String> vars, boolean required) {
    this(name, destination, template, vars, required, java.util.OptionalDouble.empty(), java.util.OptionalInt.empty());
  }

  static TargetConfig parse(Node n) {
    String destination = n.requiredString("destination");
    String template = n.requiredString("template");
    String name = n.string("name", destination);
    Map<String, String> vars = n.stringMap("vars");
    boolean required = n.bool("required", true);
    java.util.OptionalDouble floor = n.has("floor") ? java.util.OptionalDouble.of(n.decimal("floor", 0, 0, 1_000_000))
        : java.util.OptionalDouble.empty();
    java.util.OptionalInt seconds = n.has("conversionSeconds")
        ? java.util.OptionalInt.of(n.integer("conversionSeconds", 60, 0, 86_400)) : java.util.OptionalInt.empty();
    n.finish();
    return new TargetConfig(name, destination, template, vars, required, floor, seconds);
  }
}
