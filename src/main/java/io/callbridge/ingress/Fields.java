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
    if (body != null && body.length() > 0) {
      requireUtf8(body);
    }
    Map<String, Object> fields = parseFields(rawQuery, contentType, body);
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      requireStorable(e.getKey(), e.getKey());
      requireStorable(e.getKey(), e.getValue());
    }
    return fields;
  }

  /**
   * Bad bytes stop here: a body that is not UTF-8 (a lone surrogate's {@code ED A0 80} included) is
   * a 400, before anything is stored or sent (PostgreSQL would refuse it later, failing the batch).
   */
  private static void requireUtf8(Buffer body) throws Malformed {
    java.nio.charset.CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(body.getBytes());
    try {
      strict.decode(bytes);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Malformed("body", "not valid UTF-8 (at byte " + bytes.position() + "): send UTF-8 text");
    }
  }

  /**
   * A NUL character or a lone surrogate (from {@code %00}, {@code \u0000}, {@code \ud800}) in any
   * field, nested values included, is a 400 naming the field: PostgreSQL's text and jsonb refuse them.
   */
  private static void requireStorable(String field, Object v) throws Malformed {
    if (v instanceof String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == 0) {
          throw new Malformed(field, "contains a NUL character (byte 0), which cannot be stored");
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          throw new Malformed(field, "contains a lone UTF-16 surrogate (\\u" + Integer.toHexString(c)
              + "), which is no character");
        }
      }
    } else if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        requireStorable(field, String.valueOf(e.getKey()));
        requireStorable(field, e.getValue());
      }
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        requireStorable(field, o);
      }
    }
  }

  private static Map<String, Object> parseFields(String rawQuery, String contentType, Buffer body) throws Malformed {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      putForm(fields, rawQuery, "query");
    }
    if (body != null && body.length() > 0) {
      String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
      if (type.contains("json") || (type.isEmpty() && startsLikeJson(body))) {
        putJson(fields, body);
      } else if (type.contains("x-www-form-urlencoded") || type.isEmpty() || type.startsWith("text/plain")) {
        if (startsLikeJson(body)) {
          // Read as a form, a JSON object is one field named after its whole text: a 422 about a
          // missing field would send the caller looking in the wrong place.
          throw new Malformed("Content-Type", "the body is a JSON object but Content-Type is '" + contentType
              + "': send Content-Type: application/json");
        }
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

  /**
   * Percent-escapes must decode to UTF-8 ({@code %ED%A0%80} is a lone surrogate's bytes): checked
   * segment by segment, so the 400 names the field whose value is bad (a decoder would otherwise
   * replace such bytes with U+FFFD without a word).
   */
  private static void requireUtf8Form(String encoded, String where) throws Malformed {
    java.io.ByteArrayOutputStream segment = new java.io.ByteArrayOutputStream();
    String key = null;
    for (int i = 0; i <= encoded.length(); i++) {
      char c = i < encoded.length() ? encoded.charAt(i) : '&';
      if (c == '&' || (c == '=' && key == null)) {
        byte[] b = segment.toByteArray();
        segment.reset();
        try {
          StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(b));
        } catch (java.nio.charset.CharacterCodingException e) {
          throw new Malformed(key != null && !key.isEmpty() ? key : where, "not valid UTF-8 once its percent-escapes "
              + "are decoded: send UTF-8");
        }
        key = c == '=' ? new String(b, StandardCharsets.UTF_8) : null;
      } else if (c == '%' && i + 2 < encoded.length() && Character.digit(encoded.charAt(i + 1), 16) >= 0
          && Character.digit(encoded.charAt(i + 2), 16) >= 0) {
        segment.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        segment.write(b, 0, b.length);
      }
    }
  }

  private static void putForm(Map<String, Object> fields, String encoded, String where) throws Malformed {
    requireUtf8Form(encoded, where);
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
