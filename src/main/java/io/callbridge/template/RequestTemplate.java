package io.callbridge.template;

import io.callbridge.upstream.OutboundRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One compiled template. {@link #render} only fills slots: tokens come from, in this order, the
 * {@code extras} a flow supplies (e.g. the route's lead token), the target's configured
 * {@code vars}, then the inbound fields (ingress merged the query string, then the form or JSON
 * body over it). Tokens the template declares under {@code vars:} come from the first two only.
 */
public final class RequestTemplate {
  enum BodyKind { NONE, JSON, FORM }

  record Entry(String prefix, Expr value) {}

  private final String name;
  private final String method;
  private final Expr path;
  private final Entry[] query;
  private final Entry[] headers;
  private final BodyKind bodyKind;
  private final JsonBody json;
  private final Entry[] form;
  private final Set<String> tokens;
  private final Set<String> vars;
  private final Set<String> neededVars;
  private final Phones phones;

  RequestTemplate(String name, String method, Expr path, Entry[] query, Entry[] headers, BodyKind bodyKind,
      JsonBody json, Entry[] form, Set<String> tokens, Set<String> vars, Set<String> neededVars, Phones phones) {
    this.name = name;
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers;
    this.bodyKind = bodyKind;
    this.json = json;
    this.form = form;
    this.tokens = Collections.unmodifiableSet(tokens);
    this.vars = Collections.unmodifiableSet(vars);
    this.neededVars = Collections.unmodifiableSet(neededVars);
    this.phones = phones;
  }

  public String name() {
    return name;
  }

  public String method() {
    return method;
  }

  /** Every token name the template uses. */
  public Set<String> tokens() {
    return tokens;
  }

  /** The tokens that must come from configuration (target vars or route values), never from data. */
  public Set<String> vars() {
    return vars;
  }

  /** The vars a target must set: those neither optional nor with a default. */
  public Set<String> neededVars() {
    return neededVars;
  }

  public Rendering render(Map<String, ?> fields, Map<String, String> targetVars) {
    return render(fields, targetVars, Map.of());
  }

  public Rendering render(Map<String, ?> fields, Map<String, String> targetVars, Map<String, ?> extras) {
    RenderContext ctx = new RenderContext(fields, targetVars, extras, phones);
    StringBuilder uri = new StringBuilder(160);
    if (path.render(uri, ctx, Encoding.PATH) == Expr.REJECTED) {
      return rejected(ctx);
    }
    char sep = '?';
    for (Entry q : query) {
      int mark = uri.length();
      uri.append(sep).append(q.prefix);
      Object r = q.value.render(uri, ctx, Encoding.QUERY);
      if (r == Expr.REJECTED) {
        return rejected(ctx);
      }
      if (r == Slot.OMIT) {
        uri.setLength(mark);
      } else {
        sep = '&';
      }
    }
    StringBuilder scratch = headers.length > 0 || bodyKind == BodyKind.JSON ? new StringBuilder(64) : null;
    Map<String, String> h = Map.of();
    if (headers.length > 0) {
      h = new HashMap<>(headers.length * 2);
      for (Entry e : headers) {
        scratch.setLength(0);
        Object r = e.value.render(scratch, ctx, Encoding.HEADER);
        if (r == Expr.REJECTED) {
          return rejected(ctx);
        }
        if (r != Slot.OMIT) {
          h.put(e.prefix, scratch.toString());
        }
      }
    }
    byte[] body;
    String contentType;
    switch (bodyKind) {
      case JSON -> {
        StringBuilder out = new StringBuilder(256);
        if (json.render(out, ctx, scratch) == Expr.REJECTED) {
          return rejected(ctx);
        }
        body = out.toString().getBytes(StandardCharsets.UTF_8);
        contentType = "application/json";
      }
      case FORM -> {
        StringBuilder out = new StringBuilder(128);
        char amp = 0;
        for (Entry f : form) {
          int mark = out.length();
          if (amp != 0) {
            out.append(amp);
          }
          out.append(f.prefix);
          Object r = f.value.render(out, ctx, Encoding.QUERY);
          if (r == Expr.REJECTED) {
            return rejected(ctx);
          }
          if (r == Slot.OMIT) {
            out.setLength(mark);
          } else {
            amp = '&';
          }
        }
        body = out.toString().getBytes(StandardCharsets.UTF_8);
        contentType = "application/x-www-form-urlencoded";
      }
      default -> {
        body = new byte[0];
        contentType = "";
      }
    }
    return new Rendering.Rendered(new OutboundRequest(method, uri.toString(), h, body, contentType));
  }

  private Rendering rejected(RenderContext ctx) {
    return new Rendering.Rejected(name, ctx.rejectedToken, ctx.rejectedReason, ctx.rejectedVar);
  }

  @Override
  public String toString() {
    return "template " + name + " (" + method + ")";
  }
}
