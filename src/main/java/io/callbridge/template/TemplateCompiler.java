package io.callbridge.template;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Compiles one template file. Works on the YAML node tree (not on plain maps) so every error
 * names the file, line and column of the offending text.
 */
final class TemplateCompiler {
  private static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9_]+");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> OWN_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection",
      "content-type");
  private static final Set<String> KEYS = new LinkedHashSet<>(
      List.of("description", "method", "path", "query", "headers", "body", "vars", "optional"));

  private final String name;
  private final String source;
  private final Phones phones;
  private final List<String> errors;
  private final Set<String> tokens = new LinkedHashSet<>();
  private final Set<String> optional = new HashSet<>();
  private final Set<String> vars = new LinkedHashSet<>();
  private final Set<String> defaulted = new HashSet<>();

  private TemplateCompiler(String name, String source, Phones phones, List<String> errors) {
    this.name = name;
    this.source = source;
    this.phones = phones;
    this.errors = errors;
  }

  /** The compiled template, or null after adding every error found to {@code errors}. */
  static RequestTemplate compile(String name, String source, String text, Phones phones, List<String> errors) {
    return new TemplateCompiler(name, source, phones, errors).compile(text);
  }

  private RequestTemplate compile(String text) {
    int before = errors.size();
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      errors.add(source + (m == null ? "" : ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)) + ": "
          + e.getProblem() + (e.getContext() == null ? "" : " (" + e.getContext() + ")"));
      return null;
    } catch (YAMLException e) {
      errors.add(source + ": " + e.getMessage());
      return null;
    }
    if (!(root instanceof MappingNode top)) {
      errors.add(source + ":1:1: expected a mapping with at least 'path' (see conf/templates/*.yaml)");
      return null;
    }
    Node methodNode = null;
    Node pathNode = null;
    Node queryNode = null;
    Node headersNode = null;
    Node bodyNode = null;
    // vars and optional change how tokens compile: read them first.
    for (Map.Entry<String, NodeTuple> kv : uniqueKeys(top).entrySet()) {
      String key = kv.getKey();
      NodeTuple t = kv.getValue();
      switch (key) {
        case "vars" -> names(t.getValueNode(), vars, "vars");
        case "optional" -> names(t.getValueNode(), optional, "optional");
        case "method" -> methodNode = t.getValueNode();
        case "path" -> pathNode = t.getValueNode();
        case "query" -> queryNode = t.getValueNode();
        case "headers" -> headersNode = t.getValueNode();
        case "body" -> bodyNode = t.getValueNode();
        case "description" -> scalar(t.getValueNode(), "description");
        default -> error(t.getKeyNode(), "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
      }
    }
    String method = "GET";
    if (methodNode != null) {
      String m = scalar(methodNode, "method");
      if (m != null) {
        method = m.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
          error(methodNode, "unknown method '" + m + "' (known: GET, POST, PUT, PATCH, DELETE)");
        }
      }
    }
    Expr path = null;
    if (pathNode == null) {
      error(top, "'path' is required (the URL path on the destination, e.g. /api/v1/leads)");
    } else {
      path = path(pathNode);
    }
    List<RequestTemplate.Entry> query = entries(queryNode, "query", Encoding.QUERY, true);
    List<RequestTemplate.Entry> headers = headers(headersNode);
    RequestTemplate.BodyKind kind = RequestTemplate.BodyKind.NONE;
    JsonBody json = null;
    List<RequestTemplate.Entry> form = List.of();
    if (bodyNode != null) {
      if (bodyNode instanceof ScalarNode s && s.getValue().equals("none")) {
        kind = RequestTemplate.BodyKind.NONE;
      } else if (bodyNode instanceof MappingNode bm && bm.getValue().size() == 1) {
        NodeTuple t = bm.getValue().get(0);
        String k = keyOf(t);
        if ("json".equals(k)) {
          kind = RequestTemplate.BodyKind.JSON;
          json = json(t.getValueNode());
        } else if ("form".equals(k)) {
          kind = RequestTemplate.BodyKind.FORM;
          form = entries(t.getValueNode(), "body.form", Encoding.QUERY, false);
        } else if (k != null) {
          error(t.getKeyNode(), "unknown body kind '" + k + "' (known: json, form; or body: none)");
        }
      } else {
        error(bodyNode, "body is one of: {json: {...}}, {form: {...}}, or none");
      }
      if (kind != RequestTemplate.BodyKind.NONE && (method.equals("GET") || method.equals("DELETE"))) {
        error(bodyNode, "a " + method + " request carries no body (use query:, or method: POST)");
      }
    }
    for (String v : errors.size() > before ? Set.<String>of() : vars) {
      if (!tokens.contains(v)) {
        errors.add(source + ": vars: '" + v + "' is not used as a token in this template");
      }
    }
    for (String o : errors.size() > before ? Set.<String>of() : optional) {
      if (!tokens.contains(o)) {
        errors.add(source + ": optional: '" + o + "' is not used as a token in this template");
      }
    }
    if (errors.size() > before) {
      return null;
    }
    return new RequestTemplate(name, method, path, query.toArray(RequestTemplate.Entry[]::new),
        headers.toArray(RequestTemplate.Entry[]::new), kind, json, form.toArray(RequestTemplate.Entry[]::new),
        tokens, vars, neededVars(), phones);
  }

  /** The vars configuration must give: not optional, and without a default. */
  private Set<String> neededVars() {
    Set<String> needed = new LinkedHashSet<>(vars);
    needed.removeAll(optional);
    needed.removeAll(defaulted);
    return needed;
  }

  private Expr path(Node node) {
    String text = scalar(node, "path");
    if (text == null) {
      return null;
    }
    if (!text.startsWith("/") || text.startsWith("//")) {
      error(node, "path must start with a single '/' (scheme, host and port come from the destination)");
      return null;
    }
    Expr e = expr(text, (ScalarNode) node, Encoding.PATH);
    if (e != null) {
      for (Object p : e.parts) {
        if (p instanceof String lit) {
          for (int i = 0; i < lit.length(); i++) {
            char c = lit.charAt(i);
            if (c == '?' || c == '#' || c <= ' ' || c >= 0x7f) {
              error(node, "path may not contain '" + (c <= ' ' ? "a blank" : String.valueOf(c))
                  + "' (put query parameters under query:)");
              return null;
            }
          }
        }
      }
    }
    return e;
  }

  private List<RequestTemplate.Entry> entries(Node node, String where, Encoding enc, boolean encodeKey) {
    List<RequestTemplate.Entry> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode m)) {
      error(node, where + " must be a mapping of names to values");
      return out;
    }
    for (Map.Entry<String, NodeTuple> kv : uniqueKeys(m).entrySet()) {
      String key = kv.getKey();
      NodeTuple t = kv.getValue();
      if (key.isEmpty() || key.indexOf('[') >= 0) {
        error(t.getKeyNode(), "a " + where + " name is literal text (no tokens), got '" + key + "'");
        continue;
      }
      String value = scalar(t.getValueNode(), where + "." + key);
      if (value == null) {
        continue;
      }
      Expr e = expr(value, (ScalarNode) t.getValueNode(), enc);
      if (e != null) {
        StringBuilder prefix = new StringBuilder();
        Encoding.percent(prefix, key);
        out.add(new RequestTemplate.Entry(prefix.append('=').toString(), e));
      }
    }
    return out;
  }

  private List<RequestTemplate.Entry> headers(Node node) {
    List<RequestTemplate.Entry> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode m)) {
      error(node, "headers must be a mapping of header names to values");
      return out;
    }
    for (NodeTuple t : m.getValue()) {
      String key = keyOf(t);
      if (key == null) {
        continue;
      }
      if (!HEADER_NAME.matcher(key).matches()) {
        error(t.getKeyNode(), "not a header name: '" + key + "'");
        continue;
      }
      if (OWN_HEADERS.contains(key.toLowerCase(Locale.ROOT))) {
        error(t.getKeyNode(), "header " + key + " is set by CallBridge (from the destination and the body)");
        continue;
      }
      String value = scalar(t.getValueNode(), "headers." + key);
      if (value == null) {
        continue;
      }
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        error(t.getValueNode(), "a header value is one line");
        continue;
      }
      Expr e = expr(value, (ScalarNode) t.getValueNode(), Encoding.HEADER);
      if (e != null) {
        out.add(new RequestTemplate.Entry(key, e));
      }
    }
    return out;
  }

  private JsonBody json(Node node) {
    if (node instanceof MappingNode m) {
      List<String> keys = new ArrayList<>();
      List<JsonBody> values = new ArrayList<>();
      for (Map.Entry<String, NodeTuple> kv : uniqueKeys(m).entrySet()) {
        String key = kv.getKey();
        NodeTuple t = kv.getValue();
        JsonBody v = json(t.getValueNode());
        if (v != null && key.equals("...")) {
          Slot single = v instanceof JsonBody.Text text ? text.expr().single() : null;
          if (single == null) {
            error(t.getValueNode(), "'...' spreads a map into this object: its value must be one token, e.g. \"[tags]\"");
          } else {
            keys.add("");
            values.add(new JsonBody.Spread(single));
          }
        } else if (v != null) {
          keys.add(JsonText.string(key) + ":");
          values.add(v);
        }
      }
      return new JsonBody.Obj(keys.toArray(String[]::new), values.toArray(JsonBody[]::new));
    }
    if (node instanceof SequenceNode s) {
      List<JsonBody> items = new ArrayList<>();
      for (Node item : s.getValue()) {
        JsonBody v = json(item);
        if (v != null) {
          items.add(v);
        }
      }
      return new JsonBody.Arr(items.toArray(JsonBody[]::new));
    }
    ScalarNode sc = (ScalarNode) node;
    String v = sc.getValue();
    Tag tag = sc.getTag();
    if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      if (!JSON_NUMBER.matcher(v).matches()) {
        error(node, "'" + v + "' is not a JSON number (quote it to send text)");
        return null;
      }
      return new JsonBody.Const(v);
    }
    if (Tag.BOOL.equals(tag)) {
      boolean b = v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on")
          || v.equalsIgnoreCase("y");
      return new JsonBody.Const(Boolean.toString(b));
    }
    if (Tag.NULL.equals(tag)) {
      return new JsonBody.Const("null");
    }
    Expr e = expr(v, sc, Encoding.TEXT);
    if (e == null) {
      return null;
    }
    if (e.isConstant()) {
      StringBuilder sb = new StringBuilder();
      for (Object p : e.parts) {
        sb.append((String) p);
      }
      return new JsonBody.Const(JsonText.string(sb.toString()));
    }
    return new JsonBody.Text(e);
  }

  /**
   * Parses {@code [token|filter]{default}} slots out of {@code text}. Literal parts are written for
   * their place now (percent-encoded in a query), so rendering only appends. {@code [[} is a literal '['.
   */
  private Expr expr(String text, ScalarNode node, Encoding enc) {
    List<Object> parts = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int n = text.length();
    int i = 0;
    boolean ok = true;
    while (i < n) {
      char c = text.charAt(i);
      if (c != '[') {
        lit.append(c);
        i++;
        continue;
      }
      if (i + 1 < n && text.charAt(i + 1) == '[') {
        lit.append('[');
        i += 2;
        continue;
      }
      int close = text.indexOf(']', i);
      if (close < 0) {
        error(node, i, "unterminated token: '[' without ']' (write [[ for a literal '[')");
        return null;
      }
      String inner = text.substring(i + 1, close);
      String[] pieces = inner.split("\\|", -1);
      String token = pieces[0].strip();
      if (!TOKEN_NAME.matcher(token).matches()) {
        error(node, i + 1, "invalid token name '" + pieces[0] + "' (letters, digits and '_'; write [[ for a literal '[')");
        ok = false;
      }
      Filter[] filters = new Filter[pieces.length - 1];
      int at = i + 1 + pieces[0].length() + 1;
      for (int k = 1; k < pieces.length; k++) {
        String fname = pieces[k].strip();
        Filter f = Filter.byName(fname);
        if (f == null) {
          error(node, at, "unknown filter '" + fname + "' in [" + inner + "] (known: " + Filter.known() + ")");
          ok = false;
        }
        filters[k - 1] = f;
        at += pieces[k].length() + 1;
      }
      i = close + 1;
      String def = null;
      if (i < n && text.charAt(i) == '{') {
        int end = text.indexOf('}', i);
        if (end < 0) {
          error(node, i, "unterminated default: '{' without '}'");
          return null;
        }
        def = text.substring(i + 1, end);
        i = end + 1;
      }
      if (!ok) {
        continue;
      }
      if (lit.length() > 0) {
        parts.add(literal(lit.toString(), enc));
        lit.setLength(0);
      }
      tokens.add(token);
      if (def != null) {
        defaulted.add(token);
      }
      parts.add(new Slot(token, filters, def, optional.contains(token), vars.contains(token), phones));
    }
    if (!ok) {
      return null;
    }
    if (lit.length() > 0 || parts.isEmpty()) {
      parts.add(literal(lit.toString(), enc));
    }
    return new Expr(parts.toArray());
  }

  private static String literal(String s, Encoding enc) {
    if (enc == Encoding.QUERY) {
      StringBuilder sb = new StringBuilder();
      Encoding.percent(sb, s);
      return sb.toString();
    }
    return s;
  }

  private void names(Node node, Set<String> into, String where) {
    if (node instanceof SequenceNode s) {
      for (Node item : s.getValue()) {
        String v = scalar(item, where);
        if (v != null) {
          if (!TOKEN_NAME.matcher(v).matches()) {
            error(item, "not a token name: '" + v + "'");
          } else {
            into.add(v);
          }
        }
      }
    } else {
      error(node, where + " is a list of token names, e.g. [zip, state]");
    }
  }

  /** A mapping's entries by plain-text key, in order; a duplicate or non-text key is an error and left out. */
  private Map<String, NodeTuple> uniqueKeys(MappingNode m) {
    Map<String, NodeTuple> out = new java.util.LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String key = keyOf(t);
      if (key != null && out.putIfAbsent(key, t) != null) {
        error(t.getKeyNode(), "duplicate key '" + key + "'");
      }
    }
    return out;
  }

  private String keyOf(NodeTuple t) {
    if (t.getKeyNode() instanceof ScalarNode s) {
      return s.getValue();
    }
    error(t.getKeyNode(), "a key must be plain text");
    return null;
  }

  private String scalar(Node node, String where) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    error(node, where + " must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
    return null;
  }

  private void error(Node node, String message) {
    Mark m = node.getStartMark();
    errors.add(source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1) + ": " + message);
  }

  /** An error at {@code offset} inside a scalar (exact for one-line plain and quoted scalars). */
  private void error(ScalarNode node, int offset, String message) {
    Mark m = node.getStartMark();
    DumperOptions.ScalarStyle style = node.getScalarStyle();
    int quote = style == DumperOptions.ScalarStyle.DOUBLE_QUOTED || style == DumperOptions.ScalarStyle.SINGLE_QUOTED
        ? 1 : 0;
    errors.add(source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1 + quote + offset) + ": " + message);
  }
}
