package io.callbridge.template;

/** A compiled JSON body: the template's tree with constant parts pre-written as JSON text. */
sealed interface JsonBody {
  /** Appends the JSON; returns null, {@link Slot#OMIT} (leave this member out) or {@link Expr#REJECTED}. */
  Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch);

  /** A constant: a number, boolean, null or literal string, already JSON text. */
  record Const(String json) implements JsonBody {
    @Override
    public Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch) {
      out.append(json);
      return null;
    }
  }

  /** A string with tokens. Exactly one token keeps its value's JSON type (a number stays a number). */
  record Text(Expr expr) implements JsonBody {
    @Override
    public Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch) {
      Slot single = expr.single();
      if (single != null) {
        Object v = single.value(ctx);
        if (v == null) {
          return Expr.REJECTED;
        }
        if (v == Slot.OMIT) {
          return Slot.OMIT;
        }
        JsonText.value(out, v);
        return null;
      }
      scratch.setLength(0);
      Object r = expr.render(scratch, ctx, Encoding.TEXT);
      if (r == Expr.REJECTED) {
        return r;
      }
      JsonText.string(out, scratch.toString());
      return null;
    }
  }

  /**
   * A member {@code "...": "[token]"}: the token's value, a map, spread into the enclosing object as
   * members of their own (Ringba's RTB takes every extra top-level key as a tag). Absent or empty: nothing.
   */
  record Spread(Slot slot) implements JsonBody {
    @Override
    public Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch) {
      Object v = slot.value(ctx);
      if (v == null) {
        return Expr.REJECTED;
      }
      if (!(v instanceof java.util.Map<?, ?> map) || map.isEmpty()) {
        return Slot.OMIT;
      }
      boolean first = true;
      for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        JsonText.string(out, String.valueOf(e.getKey()));
        out.append(':');
        JsonText.value(out, e.getValue());
      }
      return null;
    }
  }

  /** An object; {@code keys} are pre-written as {@code "key":} (empty for a {@link Spread}). */
  record Obj(String[] keys, JsonBody[] values) implements JsonBody {
    @Override
    public Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch) {
      out.append('{');
      boolean first = true;
      for (int i = 0; i < keys.length; i++) {
        int mark = out.length();
        if (!first) {
          out.append(',');
        }
        out.append(keys[i]);
        Object r = values[i].render(out, ctx, scratch);
        if (r == Expr.REJECTED) {
          return r;
        }
        if (r == Slot.OMIT) {
          out.setLength(mark);
        } else {
          first = false;
        }
      }
      out.append('}');
      return null;
    }
  }

  record Arr(JsonBody[] items) implements JsonBody {
    @Override
    public Object render(StringBuilder out, RenderContext ctx, StringBuilder scratch) {
      out.append('[');
      boolean first = true;
      for (JsonBody item : items) {
        int mark = out.length();
        if (!first) {
          out.append(',');
        }
        Object r = item.render(out, ctx, scratch);
        if (r == Expr.REJECTED) {
          return r;
        }
        if (r == Slot.OMIT) {
          out.setLength(mark);
        } else {
          first = false;
        }
      }
      out.append(']');
      return null;
    }
  }
}
