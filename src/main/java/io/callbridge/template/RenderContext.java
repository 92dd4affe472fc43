package io.callbridge.template;

import java.util.Map;

/** The token sources of one render, in precedence order, and the first rejection. */
final class RenderContext {
  final Map<String, ?> extras;
  final Map<String, String> vars;
  final Map<String, ?> fields;
  final Phones phones;
  String rejectedToken;
  String rejectedReason;
  boolean rejectedVar;

  RenderContext(Map<String, ?> fields, Map<String, String> vars, Map<String, ?> extras, Phones phones) {
    this.fields = fields;
    this.vars = vars;
    this.extras = extras;
    this.phones = phones;
  }

  /** Extras (values the flow supplies) win over target vars, which win over inbound fields. */
  Object lookup(String name, boolean varOnly) {
    Object v = extras.get(name);
    if (!Values.isBlank(v)) {
      return v;
    }
    v = vars.get(name);
    if (!Values.isBlank(v) || varOnly) {
      return v;
    }
    return fields.get(name);
  }

  void reject(String token, String reason, boolean var) {
    if (rejectedToken == null) {
      rejectedToken = token;
      rejectedReason = reason;
      rejectedVar = var;
    }
  }
}
