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
