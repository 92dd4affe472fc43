package io.callbridge.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upstream host: its base URL, connection pool, limits and breaker. A destination marked
 * {@code simulator: true} is a local simulator and may use plain HTTP or skip TLS verification.
 */
public record DestinationConfig(
    String name,
    URI baseUrl,
    Duration connectTimeout,
    Duration requestTimeout,
    int poolSize,
    int waitQueue,
    Duration keepAlive,
    long maxResponseBytes,
    Map<String, Secret> headers,
    boolean simulator,
    BreakerConfig breaker) {

  static DestinationConfig parse(String name, Node n) {
    String url = n.requiredString("baseUrl");
    URI base = null;
    try {
      base = new URI(url);
      if (!url.isEmpty() && (base.getHost() == null || !("http".equals(base.getScheme()) || "https".equals(base.getScheme())))) {
        n.get("baseUrl").error("must be an absolute http(s) URL, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      n.get("baseUrl").error("not a URL: " + e.getMessage());
    }
    Duration connect = n.duration("connectTimeout", Duration.ofMillis(500));
    Duration request = n.duration("requestTimeout", Duration.ofSeconds(10));
    int pool = n.integer("poolSize", 50, 1, 10_000);
    int waitQueue = n.integer("waitQueue", 500, 0, 1_000_000);
    Duration keepAlive = n.duration("keepAlive", Duration.ofSeconds(60));
    long maxResponse = n.bytes("maxResponseBytes", 256 * 1024);
    Map<String, Secret> headers = new LinkedHashMap<>();
    n.stringMap("headers").forEach((k, v) -> headers.put(k, new Secret(v)));
    boolean simulator = n.bool("simulator", false);
    Node b = n.get("breaker");
    BreakerConfig breaker = b.isMissing() ? BreakerConfig.defaults() : BreakerConfig.parse(b);
    n.finish();
    if (base != null && "http".equals(base.getScheme()) && !simulator && !isLoopback(base.getHost())) {
      n.get("baseUrl").error("plain http is only allowed for a local simulator (set simulator: true) or a loopback host");
    }
    return new DestinationConfig(name, base, connect, request, pool, waitQueue, keepAlive, maxResponse,
        Collections.unmodifiableMap(headers), simulator, breaker);
  }

  private static boolean isLoopback(String host) {
    return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
  }

  public boolean tls() {
    return "https".equals(baseUrl.getScheme());
  }

  public int port() {
    int p = baseUrl.getPort();
    return p > 0 ? p : (tls() ? 443 : 80);
  }
}
