package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.ConfigException;
import io.callbridge.config.PingSettings;
import io.callbridge.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The ping route's keys: defaults, values, and errors with their paths. */
class PingConfigTest {
  static String route(String keys) {
    return """
        destinations:
          rtb: { baseUrl: "http://127.0.0.1:9", simulator: true }
        routes:
          - name: p
            kind: ping
            auth: { token: t }
        %s
            targets: [ { destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: x } } ]
        """.formatted(keys.indent(4).stripTrailing());
  }

  @Test
  void defaults() throws Exception {
    PingSettings s = TestConfigs.parse(route("")).routes().get(0).settingsAs(PingSettings.class);
    assertThat(s.floor()).isZero();
    assertThat(s.minTransferSeconds()).isEqualTo(10);
    assertThat(s.conversionSeconds()).isEqualTo(60);
    assertThat(s.numberFormat()).isEqualTo("e164");
    assertThat(s.shield()).isTrue();
    assertThat(s.shieldIgnore()).contains("call_uuid", "subdomain", "ping_id");
    assertThat(s.shieldMaxEntries()).isEqualTo(100_000);
    assertThat(s.answerTemplate()).isEmpty();
    assertThat(TestConfigs.parse(route("")).routes().get(0).deadline().toMillis()).isEqualTo(1000);
  }

  @Test
  void values() throws Exception {
    PingSettings s = TestConfigs.parse(route("""
        floor: 2.5
        minTransferSeconds: 15
        numberFormat: digits11
        shield: false
        shieldIgnore: [call_uuid]
        answerTemplate: trackdrive-ping-answer
        attributes: { vertical: auto }""")).routes().get(0).settingsAs(PingSettings.class);
    assertThat(s.floor()).isEqualTo(2.5);
    assertThat(s.minTransferSeconds()).isEqualTo(15);
    assertThat(s.numberFormat()).isEqualTo("digits11");
    assertThat(s.shield()).isFalse();
    assertThat(s.shieldIgnore()).containsExactly("call_uuid");
    assertThat(s.answerTemplate()).isEqualTo("trackdrive-ping-answer");
    assertThat(s.attributes()).containsEntry("vertical", "auto");
  }

  @Test
  void errorsNameTheirPaths() {
    assertThatThrownBy(() -> TestConfigs.parse(route("""
        numberFormat: plus
        floor: -1
        shieldMaxEntries: 0
        answerTemplate: no-such-answer
        sheild: true""")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
            .anyMatch(m -> m.startsWith("routes[0].numberFormat: unknown value 'plus'"))
            .anyMatch(m -> m.startsWith("routes[0].floor: must be between"))
            .anyMatch(m -> m.startsWith("routes[0].shieldMaxEntries: must be between"))
            .anyMatch(m -> m.startsWith("routes[0].answerTemplate: unknown template 'no-such-answer'"))
            .anyMatch(m -> m.startsWith("routes[0].sheild: unknown key")));
  }
}
