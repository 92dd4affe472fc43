package io.callbridge.ingress;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the query string and the body into one field map. Precedence: query string first, then the
 * body (form or JSON) over it, so a platform's rendered body wins over static URL parameters.
 * JSON values keep their types (a number stays a number); nested objects become maps.
 */
final class Fields {
  static final String TOKEN_PARAM = "token";

  private Fields() {}

  /** Thrown for input that cannot be parsed at all; ingress answers 400 naming {@code field}. */
  static final class Malformed extends Exception {
    final String field;

    Malformed(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  /**
   * A value that is a platform's token left unfilled: TrackDrive's {@code [token]} or
   * {@code [token]{default}}, Ringba's {@code [tag:User:name]} / {@code [Call:Field]}, and the
   * {@code {token}} / {@code {{token}}} forms some senders use. Both platforms send a token literally
   * when the call has no value for it (TrackDrive help "BASICS: PostBack to TrackDrive", Ringba
   * "Most Common Tokens"); such a value is no value, never an id.
   */
  static boolean unresolvedToken(String value) {
    String v = value.trim();
    int n = v.length();
    if (n < 3) {
      return false;
    }
    char first = v.charAt(0);
    if (first == '[') {
      int close = v.indexOf(']');
      if (close < 2 || v.indexOf('[', 1) >= 0 && v.indexOf('[', 1) < close) {
        return false;
      }
      String rest = v.substring(close + 1);
      return token(v.substring(1, close)) && (rest.isEmpty() || rest.startsWith("{") && rest.endsWith("}")
          && rest.indexOf('}') == rest.length() - 1);
    }
    if (first == '{') {
      boolean doubled = v.startsWith("{{") && v.endsWith("}}");
      String inner = doubled ? v.substring(2, n - 2) : v.endsWith("}") ? v.substring(1, n - 1) : null;
      return inner != null && token(inner);
    }
    return false;
  }

  private static boolean token(String name) {
    if (name.isEmpty() || name.length() > 100) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.' || c == '-' || c == ' ')) {
        return false;
      }
    }
    return Character.isLetter(name.charAt(0)) || name.charAt(0) == '_';
  }

  /**
   * Top-level text values that carry nothing, taken out of {@code fields} so that every flow sees
   * them as missing: blank strings and unresolved tokens (the latter returned, field → the literal,
   * so a required field can say why it is missing).
   */
  static Map<String, String> dropUnfilled(Map<String, Object> fields) {
    Map<String, String> unresolved = Map.of();
    var it = fields.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Object> e = it.next();
      if (!(e.getValue() instanceof String s)) {
        continue;
      }
      if (s.isBlank()) {
        it.remove();
      } else if ((s.charAt(0) == '[' || s.charAt(0) == '{' || Character.isWhitespace(s.charAt(0)))
          && unresolvedToken(s)) {
        if (unresolved.isEmpty()) {
          unresolved = new LinkedHashMap<>();
        }
        unresolved.put(e.getKey(), s.trim());
        it.remove();
      }
    }
    return unresolved;
  }

  static Map<String, Object> parse(String rawQuery, String contentType, Buffer body) throws Malformed {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      putForm(fields, rawQuery, "query");
    }
    if (body != null && body.length() > 0) {
      String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
      if (type.contains("json") || (type.isEmpty() && startsLikeJson(body))) {
        putJson(fields, body);
      } else if (type.contains("x-www-form-urlencoded") || type.isEmpty() || type.startsWith("text/plain")) {
        putForm(fields, body.toString(StandardCharsets.UTF_8), "body");
      } else {
        throw new Malformed("Content-Type", "unsupported content type '" + contentType
            + "': send application/json or application/x-www-form-urlencoded");
      }
    }
    fields.remove(TOKEN_PARAM);
    return fields;
  }

  private static boolean startsLikeJson(Buffer body) {
    for (int i = 0; i < body.length(); i++) {
      byte b = body.getByte(i);
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return false;
  }

  private static void putForm(Map<String, Object> fields, String encoded, String where) throws Malformed {
    try {
      Map<String, List<String>> params = new QueryStringDecoder(encoded, StandardCharsets.UTF_8, false, 1024)
          .parameters();
      for (Map.Entry<String, List<String>> e : params.entrySet()) {
        if (!e.getKey().isEmpty() && !e.getValue().isEmpty()) {
          fields.put(e.getKey(), e.getValue().get(0));
        }
      }
    } catch (IllegalArgumentException e) {
      throw new Malformed(where, "malformed " + (where.equals("query") ? "query string" : "form body") + ": "
          + e.getMessage());
    }
  }

  private static void putJson(Map<String, Object> fields, Buffer body) throws Malformed {
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw new Malformed("body", "malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject obj)) {
      throw new Malformed("body", "expected a JSON object");
    }
    for (Map.Entry<String, Object> e : obj) {
      fields.put(e.getKey(), plain(e.getValue()));
    }
  }

  private static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      return o.getMap();
    }
    if (v instanceof JsonArray a) {
      return a.getList();
    }
    return v;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "cannot parse";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
