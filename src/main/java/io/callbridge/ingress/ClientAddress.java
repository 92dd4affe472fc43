package io.callbridge.ingress;

import io.callbridge.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a request comes from: the connection's peer, unless that peer is a trusted proxy
 * ({@code server.trustedProxies}); then {@code X-Forwarded-For} is read from the right, past every
 * trusted proxy, and the first address that is not one is the caller. From anyone else the header
 * is ignored: a caller cannot claim an address by sending it.
 */
final class ClientAddress {
  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private ClientAddress() {}

  /** The caller's address, or null when the connection has none we can read (never a guess). */
  static InetAddress of(HttpServerRequest request, List<Cidr> trustedProxies) {
    SocketAddress remote = request.remoteAddress();
    InetAddress peer = remote == null ? null : literal(remote.hostAddress());
    if (peer == null || trustedProxies.isEmpty() || !Cidr.any(trustedProxies, peer)) {
      return peer;
    }
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    InetAddress client = peer;
    for (int h = forwarded.size() - 1; h >= 0; h--) {
      String[] hops = forwarded.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        InetAddress hop = literal(hops[i].trim());
        if (hop == null) {
          return client; // unreadable: believe no further
        }
        client = hop;
        if (!Cidr.any(trustedProxies, hop)) {
          return hop;
        }
      }
    }
    return client;
  }

  static InetAddress literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!LITERAL.matcher(t).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(t); // an address literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
