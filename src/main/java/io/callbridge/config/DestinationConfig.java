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
 * {@code platform} (trackdrive, ringba or other; by default from the host) says how to read its
 * answers. {@code callHost} makes the host per call: TrackDrive keeps each company's calls at
 * {@code https://<subdomain>.trackdrive.com} (TrackDrive help "How to Postback to TrackDrive Using
 * Basic Auth"), so {@code callHost: "{subdomain}.trackdrive.com"} with the allowed
 * {@code subdomains} sends each call's request to its own company; a subdomain not listed is never
 * used. A simulator destination connects to its baseUrl and names the call's host in the Host header.
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
    BreakerConfig breaker,
    String platform,
    java.util.Optional<String> callHost,
    java.util.List<String> subdomains,
    boolean allowPrivate) {

  private static final java.util.regex.Pattern SUBDOMAIN = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  public static final java.util.List<String> PLATFORMS = java.util.List.of("trackdrive", "ringba", "other");

  /** The host for a call of company {@code subdomain}; empty when that subdomain is not allowed here. */
  public java.util.Optional<String> hostFor(String subdomain) {
    if (callHost.isEmpty() || subdomain == null) {
      return java.util.Optional.empty();
    }
    String s = subdomain.trim().toLowerCase(java.util.Locale.ROOT);
    return subdomains.contains(s) ? java.util.Optional.of(callHost.get().replace("{subdomain}", s))
        : java.util.Optional.empty();
  }

  /** Whether {@code host} is one this destination may send to for some allowed subdomain. */
  public boolean allowsHost(String host) {
    return subdomains.stream().anyMatch(s -> hostFor(s).map(h -> h.equalsIgnoreCase(host)).orElse(false));
  }

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
    // A destination on a loopback, private or link-local address is refused unless it says so: a
    // typo or a DNS answer must not turn a postback into a request to something inside the network.
    boolean allowPrivate = n.bool("allowPrivate", false);
    Node b = n.get("breaker");
    BreakerConfig breaker = b.isMissing() ? BreakerConfig.defaults() : BreakerConfig.parse(b);
    String inferred = base != null && base.getHost() != null && base.getHost().endsWith("trackdrive.com") ? "trackdrive"
        : base != null && base.getHost() != null && base.getHost().endsWith("ringba.com") ? "ringba" : "other";
    String platform = n.string("platform", inferred);
    if (!PLATFORMS.contains(platform)) {
      n.get("platform").error("one of " + PLATFORMS + ", got '" + platform + "'");
    }
    java.util.Optional<String> callHost = n.has("callHost") ? java.util.Optional.of(n.string("callHost", ""))
        : java.util.Optional.empty();
    java.util.List<String> subdomains = new java.util.ArrayList<>();
    for (String s : n.strings("subdomains")) {
      String low = s.trim().toLowerCase(java.util.Locale.ROOT);
      if (!SUBDOMAIN.matcher(low).matches()) {
        n.get("subdomains").error("'" + s + "' is not a subdomain (letters, digits and '-', e.g. yourcompany)");
      }
      subdomains.add(low);
    }
    if (callHost.isPresent()) {
      if (!callHost.get().contains("{subdomain}") || callHost.get().contains("/") || callHost.get().contains(":")) {
        n.get("callHost").error("a host name with {subdomain} in it, e.g. \"{subdomain}.trackdrive.com\", got '"
            + callHost.get() + "'");
      }
      if (subdomains.isEmpty()) {
        n.get("subdomains").error("is required with callHost: list the TrackDrive subdomains calls may belong to");
      }
    }
    n.finish();
    if (base != null && "http".equals(base.getScheme()) && !simulator && !isLoopback(base.getHost())) {
      n.get("baseUrl").error("plain http is only allowed for a local simulator (set simulator: true) or a loopback host");
    }
    if (base != null && !simulator && !allowPrivate && privateLiteral(base.getHost())) {
      n.get("baseUrl").error("'" + base.getHost() + "' is a loopback, private or link-local address: outbound requests"
          + " go to the platforms' public hosts. For a local simulator set simulator: true; for a host inside your"
          + " network on purpose set allowPrivate: true");
    }
    return new DestinationConfig(name, base, connect, request, pool, waitQueue, keepAlive, maxResponse,
        Collections.unmodifiableMap(headers), simulator, breaker, platform, callHost, java.util.List.copyOf(subdomains),
        allowPrivate);
  }

  /** Whether outbound requests to this destination must only reach public addresses. */
  public boolean publicOnly() {
    return !simulator && !allowPrivate;
  }

  /** The host names this destination may connect to: its baseUrl's and each allowed company's. */
  public java.util.List<String> hosts() {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (baseUrl != null && baseUrl.getHost() != null) {
      out.add(baseUrl.getHost());
    }
    for (String s : subdomains) {
      hostFor(s).ifPresent(out::add);
    }
    return out;
  }

  /**
   * True for an address no platform lives at: loopback, private (RFC 1918, IPv6 unique local),
   * link-local, carrier-grade NAT (100.64/10), the unspecified address.
   */
  public static boolean isPrivate(java.net.InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (b.length == 16) {
      return (b[0] & 0xfe) == 0xfc; // fc00::/7
    }
    return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10
  }

  /** A host written as an address literal (or localhost) that is private; names are checked at start-up. */
  static boolean privateLiteral(String host) {
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!h.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      return isPrivate(java.net.InetAddress.getByName(h)); // a literal: parsed, never looked up
    } catch (java.net.UnknownHostException e) {
      return false;
    }
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
