package io.callbridge.template;

/**
 * A compiled string with tokens: literal parts (already written for their place) and {@link Slot}s.
 * Rendering only appends; all parsing happened at compile time.
 */
final class Expr {
  /** What {@link #render} returns for a rejected value; {@link Slot#OMIT} for a left-out entry. */
  static final Object REJECTED = new Object();

  final Object[] parts;

  Expr(Object[] parts) {
    this.parts = parts;
  }

  boolean isConstant() {
    for (Object p : parts) {
      if (p instanceof Slot) {
        return false;
      }
    }
    return true;
  }

  /** The one slot when the expression is exactly one token (its value keeps its type in JSON). */
  Slot single() {
    return parts.length == 1 && parts[0] instanceof Slot s ? s : null;
  }

  /**
   * Appends the text to {@code out}. Returns null on success, {@link Slot#OMIT} when the whole
   * expression is one missing optional token, or {@link #REJECTED}.
   */
  Object render(StringBuilder out, RenderContext ctx, Encoding enc) {
    for (Object p : parts) {
      if (p instanceof String lit) {
        out.append(lit);
        continue;
      }
      Slot slot = (Slot) p;
      Object v = slot.value(ctx);
      if (v == null) {
        return REJECTED;
      }
      if (v == Slot.OMIT) {
        if (parts.length == 1) {
          return Slot.OMIT;
        }
        continue;
      }
      if (!enc.append(out, Values.text(v))) {
        ctx.reject(slot.name, "contains a line break", slot.varOnly);
        return REJECTED;
      }
    }
    return null;
  }
}
