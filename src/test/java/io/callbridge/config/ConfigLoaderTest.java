package io.callbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  static final String DESTINATIONS = """
      destinations:
        ringba-rtb: { baseUrl: "https://rtb.ringba.com" }
      """;

  static final String GOOD = DESTINATIONS + """
      routes:
        - name: td-ping
          kind: ping
          auth: { token: "${TD_TOKEN}" }
          targets:
            - { destination: ringba-rtb, template: ringba-rtb-ping, vars: { rtb_id: abc } }
      """;

  @Test
  void shippedConfigurationsAreValid() throws Exception {
    CallBridgeConfig c = ConfigLoader.load(Path.of("conf/callbridge.yaml"), Map.of());
    assertThat(c.routes()).extracting(RouteConfig::name)
        .containsExactly("td-enrich", "td-ping", "ringba-lead", "ringba-payout", "td-conversion");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().adminPort()).isEqualTo(9090);
  }

  @Test
  void goodConfigurationWithDefaults() throws Exception {
    CallBridgeConfig c = TestConfigs.parse(GOOD, Map.of("TD_TOKEN", "s3cret"));
    RouteConfig r = c.routes().get(0);
    assertThat(r.path()).isEqualTo("/v1/ping/td-ping");
    assertThat(r.deadline()).isEqualTo(Duration.ofMillis(1000));
    assertThat(r.tokens().match("s3cret")).map(t -> t.name()).contains("default");
    assertThat(r.required()).containsExactly("caller_id", "call_uuid");
    assertThat(r.settingsAs(PingSettings.class).shield()).isTrue();
    assertThat(c.server().bodyLimitBytes()).isEqualTo(64 * 1024);
    assertThat(c.correlation().retention()).isEqualTo(Duration.ofDays(35));
  }

  @Test
  void environmentReferencesAndPortOverrides() throws Exception {
    String yaml = "server: { port: \"${P:-8081}\", shutdownGrace: 3s }\npostgres: { password: \"${PW}\" }\n" + GOOD;
    CallBridgeConfig c = TestConfigs.parse(yaml, Map.of("TD_TOKEN", "t", "PW", "pg-pass", "CALLBRIDGE_ADMIN_PORT", "9999"));
    assertThat(c.server().port()).isEqualTo(8081);
    assertThat(c.server().adminPort()).isEqualTo(9999);
    assertThat(c.postgres().password().value()).isEqualTo("pg-pass");
    CallBridgeConfig c2 = TestConfigs.parse(yaml, Map.of("TD_TOKEN", "t", "PW", "x", "CALLBRIDGE_PORT", "7000", "P", "1"));
    assertThat(c2.server().port()).isEqualTo(7000);
  }

  @Test
  void secretsNeverPrint() throws Exception {
    CallBridgeConfig c = TestConfigs.parse("postgres: { password: hunter2hunter2 }\n" + GOOD, Map.of("TD_TOKEN", "tok-value-123"));
    assertThat(c.toString()).doesNotContain("hunter2hunter2").doesNotContain("tok-value-123");
    assertThat(String.join("\n", c.summary())).doesNotContain("tok-value-123");
  }

  @Test
  void emptyTokenIsAllowedAndClosesTheRoute() throws Exception {
    CallBridgeConfig c = TestConfigs.parse(GOOD.replace("${TD_TOKEN}", "${TD_TOKEN:-}"), Map.of());
    assertThat(c.routes().get(0).tokens().isPresent()).isFalse();
    assertThat(c.routes().get(0).tokens().match("")).isEmpty();
  }

  static List<Arguments> broken() {
    return List.of(
        Arguments.of("unknown destination",
            GOOD.replace("destination: ringba-rtb,", "destination: ringba-rtbb,"),
            "routes[0].targets[0].destination: unknown destination 'ringba-rtbb' (configured: ringba-rtb)"),
        Arguments.of("typo in a key",
            "server: { prot: 8080 }\n" + GOOD,
            "server.prot: unknown key"),
        Arguments.of("unknown kind",
            GOOD.replace("kind: ping", "kind: pong"),
            "routes[0].kind: unknown value 'pong' (expected one of: enrich, lead, ping, ring-tree, postback)"),
        Arguments.of("bad duration",
            GOOD.replace("kind: ping", "kind: ping\n    deadline: fast"),
            "routes[0].deadline: expected a duration such as 800ms, 1.5s, 10s, 5m, 2h or 35d, got 'fast'"),
        Arguments.of("port out of range",
            "server: { port: 70000 }\n" + GOOD,
            "server.port: must be between 0 and 65535, got 70000"),
        Arguments.of("unset environment variable",
            GOOD.replace("${TD_TOKEN}", "${MISSING_VAR}"),
            "routes[0].auth.token: environment variable MISSING_VAR is not set"),
        Arguments.of("duplicate route name",
            GOOD + """
                  - name: td-ping
                    kind: ping
                    auth: { token: x }
                    targets: [ { destination: ringba-rtb, template: ringba-rtb-ping } ]
                """,
            "routes[1].name: duplicate route name 'td-ping'"),
        Arguments.of("unknown template",
            GOOD.replace("template: ringba-rtb-ping", "template: ringba-rtb-pong"),
            "routes[0].targets[0].template: unknown template 'ringba-rtb-pong'"),
        Arguments.of("plain http to a public host",
            GOOD.replace("https://rtb.ringba.com", "http://rtb.ringba.com"),
            "destinations.ringba-rtb.baseUrl: plain http is only allowed for a local simulator"),
        Arguments.of("missing auth",
            GOOD.replace("auth: { token: \"${TD_TOKEN}\" }", "floor: 1"),
            "routes[0].auth: is required"),
        Arguments.of("route without targets",
            GOOD.substring(0, GOOD.indexOf("    targets:")),
            "routes[0].targets: a ping route needs at least one target"),
        Arguments.of("reply reserve longer than the deadline",
            GOOD.replace("kind: ping", "kind: ping\n    deadline: 50ms\n    replyReserve: 60ms"),
            "routes[0].replyReserve: must be shorter than the deadline (50ms)"),
        Arguments.of("bad route name",
            GOOD.replace("name: td-ping", "name: TD Ping"),
            "routes[0].name: must be lowercase letters"),
        Arguments.of("setting of another kind",
            GOOD.replace("kind: ping", "kind: ping\n    mode: async"),
            "routes[0].mode: unknown key"),
        Arguments.of("unknown number format",
            GOOD.replace("kind: ping", "kind: ping\n    numberFormat: e.164"),
            "routes[0].numberFormat: unknown value 'e.164' (expected one of: e164, digits11, digits10)"),
        Arguments.of("YAML syntax error with line and column",
            "server:\n  port: [8080\n",
            "test.yaml:3:1: "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenConfigurationsAreRejectedWithPathAndReason(String name, String yaml, String expected) {
    assertThatThrownBy(() -> TestConfigs.parse(yaml, Map.of("TD_TOKEN", "t")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).anySatisfy(err -> assertThat(err).startsWith(expected)));
  }

  @Test
  void everyErrorIsReportedAtOnce() {
    String yaml = "server: { port: x, adminPort: y }\n" + GOOD.replace("kind: ping", "kind: pong");
    assertThatThrownBy(() -> TestConfigs.parse(yaml, Map.of("TD_TOKEN", "t")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSizeGreaterThanOrEqualTo(3));
  }
}
