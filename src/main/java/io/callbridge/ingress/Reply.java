package io.callbridge.ingress;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What a flow answers: a status, a JSON body and any extra headers. A hot path may hand over the
 * body already encoded ({@link #encoded}); {@link #body()} then decodes it on demand.
 */
public record Reply(int status, JsonObject body, Map<String, String> headers, Buffer bytes) {

  public Reply(int status, JsonObject body, Map<String, String> headers) {
    this(status, body, headers, null);
  }

  public static Reply json(int status, JsonObject body) {
    return new Reply(status, body, Map.of());
  }

  /** A JSON object the flow has already encoded (it must be one JSON object, UTF-8). */
  public static Reply encoded(int status, Buffer json) {
    return new Reply(status, null, Map.of(), json);
  }

  /** An error every caller can act on: {@code {"error": ..., "field": ...}} (field when there is one). */
  public static Reply error(int status, String message, String field) {
    JsonObject body = new JsonObject().put("error", message);
    if (field != null) {
      body.put("field", field);
    }
    return new Reply(status, body, Map.of());
  }

  /** 503 for a {@code what} (a postback, a lead) PostgreSQL could not commit: nothing was accepted. */
  public static Reply notStored(String what) {
    return new Reply(503, new JsonObject().put("error", "the " + what + " could not be stored durably (PostgreSQL "
        + "unavailable); nothing was accepted: send it again"), Map.of("Retry-After", "5"));
  }

  public static Reply error(int status, String message) {
    return error(status, message, null);
  }

  @Override
  public JsonObject body() {
    return body != null ? body : new JsonObject(bytes);
  }

  /** The body as it goes on the wire. */
  public Buffer wire() {
    return bytes != null ? bytes : body.toBuffer();
  }
}
