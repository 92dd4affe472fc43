package io.callbridge.template;

import io.callbridge.upstream.OutboundRequest;

/** The result of rendering a template: a request to send, or the token that stopped it. */
public sealed interface Rendering {

  record Rendered(OutboundRequest request) implements Rendering {}

  /**
   * A token without a default was missing (or a filter refused its value, e.g. not a phone
   * number). The route answers 422 with {@link #message()} and {@code field = token}. When
   * {@code configuration} is true the token is a {@code vars:} token that configuration left empty
   * (e.g. an unset environment variable): that is the operator's problem, not the caller's (500).
   */
  record Rejected(String template, String token, String reason, boolean configuration) implements Rendering {
    public String message() {
      return token + ": " + reason;
    }
  }
}
