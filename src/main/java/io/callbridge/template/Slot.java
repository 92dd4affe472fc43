package io.callbridge.template;

/**
 * One compiled token: {@code [name|filter|filter]{default}}. The default, run through the filters
 * once at compile time (kept literal when a filter refuses it), replaces a missing or blank value,
 * and a value a filter refuses. {@code varOnly} tokens come from configuration (target vars or
 * route values such as the lead token), never from inbound data.
 */
final class Slot {
  /** What {@link #value} returns for a missing optional token: its entry is left out. */
  static final Object OMIT = new Object();

  final String name;
  final Filter[] filters;
  final boolean hasDefault;
  final Object defaultValue;
  final boolean optional;
  final boolean varOnly;

  Slot(String name, Filter[] filters, String defaultText, boolean optional, boolean varOnly, Phones phones) {
    this.name = name;
    this.filters = filters;
    this.hasDefault = defaultText != null;
    this.optional = optional;
    this.varOnly = varOnly;
    Object d = defaultText;
    if (defaultText != null && !defaultText.isEmpty()) {
      Object f = defaultText;
      for (Filter filter : filters) {
        f = filter.apply(f, phones);
        if (f == null) {
          break;
        }
      }
      d = f == null ? defaultText : f;
    }
    this.defaultValue = d;
  }

  /** The value, {@link #OMIT}, or null after recording the rejection in {@code ctx}. */
  Object value(RenderContext ctx) {
    Object v = ctx.lookup(name, varOnly);
    if (Values.isBlank(v)) {
      if (hasDefault) {
        return defaultValue;
      }
      if (optional) {
        return OMIT;
      }
      ctx.reject(name, varOnly ? "not configured" : "missing", varOnly);
      return null;
    }
    for (Filter f : filters) {
      v = f.apply(v, ctx.phones);
      if (v == null) {
        if (hasDefault) {
          return defaultValue;
        }
        ctx.reject(name, f.rejection(), varOnly);
        return null;
      }
    }
    return v;
  }
}
