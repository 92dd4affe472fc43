package io.callbridge.outbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A rendered outbound request as the outbox keeps it: the destination's name (from configuration,
 * never from inbound data), the method, the path and query relative to the destination's base URL,
 * headers and the body bytes exactly as they will be sent.
 */
public record StoredRequest(String destination, String method, String uri, Map<String, String> headers, byte[] body) {

  public StoredRequest {
    headers = Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
