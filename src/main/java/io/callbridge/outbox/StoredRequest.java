package io.callbridge.outbox;

import io.callbridge.upstream.OutboundRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rendered outbound request as the outbox keeps it: the destination's name (from configuration,
 * never from inbound data), the method, the path and query relative to the destination's base URL,
 * headers (the content type among them) and the body bytes exactly as they will be sent.
 */
public record StoredRequest(String destination, String method, String uri, Map<String, String> headers, byte[] body) {
  private static final String CONTENT_TYPE = "Content-Type";

  public StoredRequest {
    headers = Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /** A rendered template's request, to be sent to {@code destination}. */
  public static StoredRequest of(String destination, OutboundRequest request) {
    Map<String, String> h = new LinkedHashMap<>(request.headers());
    if (!request.contentType().isEmpty()) {
      h.put(CONTENT_TYPE, request.contentType());
    }
    return new StoredRequest(destination, request.method(), request.uri(), h, request.body());
  }

  /** The same request for a call whose destination host is per call ({@code Host} names it). */
  public StoredRequest withHost(String host) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Host", host);
    return new StoredRequest(destination, method, uri, h, body);
  }

  /** The request for the outbound core, the bytes unchanged. */
  public OutboundRequest outbound() {
    Map<String, String> h = new LinkedHashMap<>();
    String contentType = "";
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(CONTENT_TYPE)) {
        contentType = e.getValue();
      } else {
        h.put(e.getKey(), e.getValue());
      }
    }
    return new OutboundRequest(method, uri, h, body, contentType);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
