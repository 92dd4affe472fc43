package io.callbridge.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A request ready to send to a destination: method, path and query (never a scheme, host or port:
 * those belong to the destination), headers, body bytes and their content type ("" when no body).
 * Templates render it; the durable delivery path can store and re-send it unchanged.
 */
public record OutboundRequest(String method, String uri, Map<String, String> headers, byte[] body, String contentType) {

  public OutboundRequest {
    if (uri.isEmpty() || uri.charAt(0) != '/' || uri.startsWith("//")) {
      throw new IllegalArgumentException("an outbound request URI is a path starting with one '/', got '" + uri + "'");
    }
    headers = Map.copyOf(headers);
  }

  public static OutboundRequest get(String uri) {
    return new OutboundRequest("GET", uri, Map.of(), new byte[0], "");
  }

  public static OutboundRequest json(String method, String uri, String json) {
    return new OutboundRequest(method, uri, Map.of(), json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return method + " " + uri + (body.length == 0 ? "" : " (" + body.length + " bytes " + contentType + ")");
  }
}
