package io.callbridge.outbox;

import io.vertx.core.json.JsonObject;
import java.util.Map;

final class Json {
  private Json() {}

  static String encode(Map<String, Object> fields) {
    return new JsonObject(fields).encode();
  }
}
