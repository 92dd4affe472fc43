package io.callbridge.flow.postback;

import io.callbridge.outbox.StoredRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * TEMPORARY stand-in for {@code io.callbridge.template} (issue 4) until it lands: reads a template
 * file (method, path, query, headers, body.json | body.form) and fills {@code [token]{default}}
 * slots from the inbound fields and the target's vars. Filters are ignored (postback templates use
 * none). A token with no value and no default rejects the request, naming the token.
 */
final class InterimTemplate {
  private static final Pattern TOKEN = Pattern.compile("\\[([A-Za-z0-9_.]+)(?:\\|[A-Za-z0-9_]+)?](?:\\{([^}]*)})?");

  /** Why rendering failed: the token (an inbound field or a var) that had no value. */
  static final class Missing extends Exception {
    final String token;

    Missing(String token) {
      super("is required by the route's template", null, false, false);
      this.token = token;
    }
  }

  private final String method;
  private final String path;
  private final Map<String, Object> query;
  private final Map<String, Object> headers;
  private final Object jsonBody;
  private final Map<String, Object> formBody;

  @SuppressWarnings("unchecked")
  private InterimTemplate(Map<String, Object> doc) {
    this.method = String.valueOf(doc.getOrDefault("method", "POST")).toUpperCase(java.util.Locale.ROOT);
    this.path = String.valueOf(doc.getOrDefault("path", "/"));
    this.query = (Map<String, Object>) doc.getOrDefault("query", Map.of());
    this.headers = (Map<String, Object>) doc.getOrDefault("headers", Map.of());
    Map<String, Object> body = (Map<String, Object>) doc.getOrDefault("body", Map.of());
    this.jsonBody = body.get("json");
    this.formBody = (Map<String, Object>) body.get("form");
  }

  @SuppressWarnings("unchecked")
  static InterimTemplate load(Path templatesDir, String name) {
    Path file = templatesDir.resolve(name + ".yaml");
    try {
      return new InterimTemplate((Map<String, Object>) new Yaml().load(Files.readString(file)));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("template " + file + ": " + e.getMessage(), e);
    }
  }

  StoredRequest render(String destination, Map<String, Object> fields, Map<String, String> vars) throws Missing {
    StringBuilder uri = new StringBuilder(fill(path, fields, vars, true));
    String sep = uri.indexOf("?") >= 0 ? "&" : "?";
    for (Map.Entry<String, Object> q : query.entrySet()) {
      String v = fill(String.valueOf(q.getValue()), fields, vars, false);
      uri.append(sep).append(enc(q.getKey())).append('=').append(enc(v));
      sep = "&";
    }
    Map<String, String> h = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : headers.entrySet()) {
      h.put(e.getKey(), fill(String.valueOf(e.getValue()), fields, vars, false));
    }
    byte[] body = new byte[0];
    if (jsonBody != null) {
      Object rendered = json(jsonBody, fields, vars);
      body = (rendered instanceof Map<?, ?> m ? new JsonObject(cast(m)).encode() : String.valueOf(rendered))
          .getBytes(StandardCharsets.UTF_8);
      h.putIfAbsent("Content-Type", "application/json");
    } else if (formBody != null) {
      StringBuilder f = new StringBuilder();
      for (Map.Entry<String, Object> e : formBody.entrySet()) {
        if (f.length() > 0) {
          f.append('&');
        }
        f.append(enc(e.getKey())).append('=').append(enc(fill(String.valueOf(e.getValue()), fields, vars, false)));
      }
      body = f.toString().getBytes(StandardCharsets.UTF_8);
      h.putIfAbsent("Content-Type", "application/x-www-form-urlencoded");
    }
    return new StoredRequest(destination, method, uri.toString(), h, body);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private Object json(Object node, Map<String, Object> fields, Map<String, String> vars) throws Missing {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), json(e.getValue(), fields, vars));
      }
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new java.util.ArrayList<>();
      for (Object o : l) {
        out.add(json(o, fields, vars));
      }
      return out;
    }
    if (node instanceof String s) {
      Matcher m = TOKEN.matcher(s);
      if (m.matches()) {
        Optional<Object> v = value(m.group(1), fields, vars);
        if (v.isPresent()) {
          return v.get() instanceof Number || v.get() instanceof Boolean ? v.get() : String.valueOf(v.get());
        }
        if (m.group(2) != null) {
          return m.group(2);
        }
        throw new Missing(m.group(1));
      }
      return fill(s, fields, vars, false);
    }
    return node;
  }

  private static String fill(String text, Map<String, Object> fields, Map<String, String> vars, boolean pathSegment)
      throws Missing {
    Matcher m = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(text, last, m.start());
      Optional<Object> v = value(m.group(1), fields, vars);
      String s;
      if (v.isPresent()) {
        s = String.valueOf(v.get());
      } else if (m.group(2) != null) {
        s = m.group(2);
      } else {
        throw new Missing(m.group(1));
      }
      out.append(pathSegment ? enc(s).replace("+", "%20") : s);
      last = m.end();
    }
    out.append(text, last, text.length());
    return out.toString();
  }

  private static Optional<Object> value(String token, Map<String, Object> fields, Map<String, String> vars) {
    Object v = fields.get(token);
    if (v == null || String.valueOf(v).isBlank()) {
      String var = vars.get(token);
      return var == null || var.isBlank() ? Optional.empty() : Optional.of(var);
    }
    return Optional.of(v);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
