package io.callbridge.ingress;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What a flow answers: a status, a JSON body and any extra headers. */
public record Reply(int status, JsonObject body, Map<String, String> headers) {

  public static Reply json(int status, JsonObject body) {
    return new Reply(status, body, Map.of());
  }

  /** An error every caller can act on: {@code {"error": ..., "field": ...}} (field when there is one). */
  public static Reply error(int status, String message, String field) {
    JsonObject body = new JsonObject().put("error", message);
    if (field != null) {
      body.put("field", field);
    }
    return new Reply(status, body, Map.of());
  }

  public static Reply error(int status, String message) {
    return error(status, message, null);
  }
}
