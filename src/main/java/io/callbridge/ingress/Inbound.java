package io.callbridge.ingress;

import io.callbridge.config.RouteConfig;
import io.callbridge.deadline.Deadline;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One authenticated inbound request as a flow sees it. {@code fields} merges the query string, then
 * the form or JSON body over it (body wins); JSON values keep their types. {@code rawBody} is the
 * bytes exactly as received. The auth {@code token} parameter is never among the fields, nor are
 * blank values and unresolved platform tokens ({@code [tag:User:x]}, {@code [call_uuid]}): those
 * count as missing everywhere, and {@code unresolved} keeps which fields came so (field → literal).
 */
public record Inbound(
    RouteConfig route,
    String requestId,
    String method,
    MultiMap headers,
    Map<String, Object> fields,
    Buffer rawBody,
    String rawQuery,
    Deadline deadline,
    Instant receivedAt,
    Map<String, String> unresolved) {

  public Inbound(RouteConfig route, String requestId, String method, MultiMap headers, Map<String, Object> fields,
      Buffer rawBody, String rawQuery, Deadline deadline, Instant receivedAt) {
    this(route, requestId, method, headers, fields, rawBody, rawQuery, deadline, receivedAt, Map.of());
  }

  /**
   * The route's rule for required fields, the same for every flow: the first of {@code fields} that
   * is absent or blank answers 422 {@code {"error":"<field>: is required","field":"<field>"}}.
   */
  public Optional<Reply> missingRequired(java.util.List<String> fields) {
    for (String field : fields) {
      if (text(field).isEmpty()) {
        String literal = unresolved.get(field);
        return Optional.of(Reply.error(422, literal == null ? field + ": is required"
            : field + ": unresolved token '" + literal + "' (the sending platform had no value for it: check the "
                + "token's spelling and that the call carries it)", field));
      }
    }
    return Optional.empty();
  }

  /** A field as text, empty when absent or blank. Numbers and booleans become their JSON text. */
  public Optional<String> text(String field) {
    return text(fields, field);
  }

  /** A field of {@code fields} as text, empty when absent or blank: the one reading of a field every flow shares. */
  public static Optional<String> text(Map<String, ?> fields, String field) {
    Object v = fields.get(field);
    if (v == null) {
      return Optional.empty();
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
