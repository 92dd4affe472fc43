package io.callbridge.config;

import java.util.Map;

/**
 * One outbound target of a route: a destination and the template that renders the request.
 * {@code vars} are constants the template can use as tokens (an RTB id, a webhook id, a
 * publisher number id). {@code required} matters to enrich's accept policy.
 */
public record TargetConfig(String name, String destination, String template, Map<String, String> vars, boolean required) {

  static TargetConfig parse(Node n) {
    String destination = n.requiredString("destination");
    String template = n.requiredString("template");
    String name = n.string("name", destination);
    Map<String, String> vars = n.stringMap("vars");
    boolean required = n.bool("required", true);
    n.finish();
    return new TargetConfig(name, destination, template, vars, required);
  }
}
