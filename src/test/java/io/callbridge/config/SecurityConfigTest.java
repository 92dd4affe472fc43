package io.callbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.upstream.EgressGuard;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The security settings as configuration: what is accepted, what is refused, with its path. */
class SecurityConfigTest {
  static final String ROUTE = """
      destinations:
        ringba: { baseUrl: "%s" %s}
      routes:
        - name: p
          kind: ping
          auth: %s
          %s
          targets: [ { destination: ringba, template: ringba-rtb-ping, vars: { rtb_id: r1 } } ]
      """;

  static CallBridgeConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "t.yaml", Path.of("conf").toAbsolutePath(), Map.of());
  }

  static String route(String baseUrl, String destinationExtra, String auth, String routeExtra) {
    return ROUTE.formatted(baseUrl, destinationExtra, auth, routeExtra);
  }

  static final String GOOD_AUTH = "{ token: a-long-enough-token-0123456789 }";

  @Test
  void namedTokensRateLimitsAndNetworksParse() throws Exception {
    CallBridgeConfig c = parse(route("https://rtb.ringba.com", "",
        "{ tokens: [ { name: td-old, token: old-0123456789abcdef01234 }, { name: td-new, token: \"\" } ] }",
        "allowFrom: [203.0.113.0/24, \"2001:db8::/32\", 198.51.100.7]\n    rateLimit: { rate: 30/m, burst: 5, perCallerId: true }"));
    RouteConfig r = c.routes().get(0);
    assertThat(r.tokens().match("old-0123456789abcdef01234")).map(Tokens.Named::name).contains("td-old");
    assertThat(r.tokens().match("")).as("an unset token never matches").isEmpty();
    assertThat(r.rateLimit().perSecond()).isEqualTo(0.5);
    assertThat(r.rateLimit().burst()).isEqualTo(5);
    assertThat(r.allowFrom()).hasSize(3);
    assertThat(Cidr.any(r.allowFrom(), InetAddress.getByName("203.0.113.200"))).isTrue();
    assertThat(Cidr.any(r.allowFrom(), InetAddress.getByName("203.0.114.1"))).isFalse();
    assertThat(Cidr.any(r.allowFrom(), InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
    assertThat(Cidr.any(r.allowFrom(), InetAddress.getByName("198.51.100.7"))).isTrue();
    assertThat(Cidr.any(r.allowFrom(), InetAddress.getByName("198.51.100.8"))).isFalse();
  }

  @Test
  void badSecuritySettingsAreErrorsWithTheirPath() {
    assertThatThrownBy(() -> parse(route("https://rtb.ringba.com", "", GOOD_AUTH,
        "allowFrom: [example.com, 10.0.0.0/33]\n    rateLimit: { rate: fast }")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].allowFrom[0]: 'example.com' is not an address or network")
        .hasMessageContaining("routes[0].allowFrom[1]: '10.0.0.0/33': the prefix length must be 0..32")
        .hasMessageContaining("routes[0].rateLimit.rate: must be requests per second");
    assertThatThrownBy(() -> parse("server: { adminTokens: [ { name: a, token: x-0123456789abcdef0123456, role: god } ] }\n"
        + route("https://rtb.ringba.com", "", GOOD_AUTH, "")))
        .hasMessageContaining("server.adminTokens[0].role: must be viewer (reads) or operator");
    assertThatThrownBy(() -> parse(route("https://rtb.ringba.com", "",
        "{ tokens: [ { name: same, token: a }, { name: same, token: b } ] }", "")))
        .hasMessageContaining("the token name 'same' is used twice");
  }

  @Test
  void aTokenSharedByARouteAndTheAdminApiIsRefused() {
    assertThatThrownBy(() -> parse("server: { adminToken: a-long-enough-token-0123456789 }\n"
        + route("https://rtb.ringba.com", "", GOOD_AUTH, "")))
        .hasMessageContaining("the token of routes[0].auth 'default' (caller) is also the token of server.adminTokens"
            + " 'admin' (operator): give each role its own token");
  }

  @Test
  void shortTokensAreWarnedAbout() throws Exception {
    CallBridgeConfig c = parse("server: { adminToken: short-admin }\n" + route("https://rtb.ringba.com", "",
        "{ token: tiny }", ""));
    List<String> warnings = GoLive.warnings(c);
    assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("server.adminTokens 'admin': the token is 11 characters"))
        .anySatisfy(w -> assertThat(w).startsWith("routes[0].auth 'default' (p): the token is 4 characters; use at least 24"));
  }

  @Test
  void aDestinationOnAPrivateAddressIsRefusedUnlessItSaysSo() throws Exception {
    for (String host : new String[] {"https://10.1.2.3", "https://192.168.0.10", "https://169.254.169.254",
        "https://[::1]", "https://[fd00::1]", "https://localhost", "https://100.64.0.1"}) {
      assertThatThrownBy(() -> parse(route(host, "", GOOD_AUTH, "")))
          .as(host).hasMessageContaining("destinations.ringba.baseUrl:")
          .hasMessageContaining("loopback, private or link-local");
    }
    assertThat(parse(route("https://10.1.2.3", ", allowPrivate: true", GOOD_AUTH, "")).destinations()).hasSize(1);
    assertThat(parse(route("http://127.0.0.1:8090", ", simulator: true", GOOD_AUTH, "")).destinations()).hasSize(1);
  }

  @Test
  void aNameThatResolvesToAPrivateAddressIsRefusedAtStartUp() throws Exception {
    Map<String, DestinationConfig> destinations = parse(route("https://rtb.ringba.com", "", GOOD_AUTH, "")).destinations();
    EgressGuard.Resolver dns = host -> switch (host) {
      case "rtb.ringba.com" -> new InetAddress[] {InetAddress.getByName("203.0.113.5"), InetAddress.getByName("10.0.0.7")};
      default -> throw new UnknownHostException(host);
    };
    assertThat(EgressGuard.check(destinations, dns)).singleElement().asString()
        .contains("destinations.ringba: host rtb.ringba.com resolves to 10.0.0.7").contains("allowPrivate: true");
    EgressGuard.Resolver publicOnly = host -> new InetAddress[] {InetAddress.getByName("203.0.113.5")};
    assertThat(EgressGuard.check(destinations, publicOnly)).isEmpty();
    Map<String, DestinationConfig> allowed = parse(route("https://rtb.ringba.com", ", allowPrivate: true", GOOD_AUTH, ""))
        .destinations();
    assertThat(EgressGuard.check(allowed, dns)).isEmpty();
  }

  @Test
  void everyCompanyHostOfAPerCallDestinationIsChecked() throws Exception {
    Map<String, DestinationConfig> destinations = parse("""
        destinations:
          td: { baseUrl: "https://acme.trackdrive.com", callHost: "{subdomain}.trackdrive.com", subdomains: [acme, evil] }
        routes:
          - name: p
            kind: postback
            auth: { token: a-long-enough-token-0123456789 }
            callIdField: trackdrive_call_uuid
            targets: [ { destination: td, template: trackdrive-update-call } ]
        """).destinations();
    EgressGuard.Resolver dns = host -> new InetAddress[] {InetAddress.getByName(
        host.startsWith("evil") ? "192.168.1.1" : "203.0.113.9")};
    assertThat(EgressGuard.check(destinations, dns)).singleElement().asString()
        .contains("host evil.trackdrive.com resolves to 192.168.1.1");
  }
}
