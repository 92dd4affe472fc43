package io.callbridge.correlation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.testing.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The correlation section of the configuration: defaults, new keys, errors with their paths. */
class CorrelationConfigTest {
  static final String ROUTES = """
      destinations:
        sim: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: p
          kind: ping
          auth: { token: t }
          targets: [ { destination: sim, template: ringba-rtb-ping, vars: { rtb_id: r1 } } ]
      """;

  @Test
  void defaultsAndExplicitValues() throws ConfigException {
    CallBridgeConfig d = TestConfigs.parse(ROUTES);
    assertThat(d.correlation().retention()).isEqualTo(Duration.ofDays(35));
    assertThat(d.correlation().flushConcurrency()).isEqualTo(2);
    CallBridgeConfig c = TestConfigs.parse("correlation: { flushConcurrency: 4, purgeBatch: 100, flushInterval: 10ms }\n" + ROUTES);
    assertThat(c.correlation().flushConcurrency()).isEqualTo(4);
    assertThat(c.correlation().purgeBatch()).isEqualTo(100);
    assertThat(c.correlation().flushInterval()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void errorsNameThePath() {
    assertThatThrownBy(() -> TestConfigs.parse("correlation: { flushInterval: 0ms, flushConcurrency: 0, purgeBatch: x }\n" + ROUTES))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.errors()))
            .contains("correlation.flushInterval: must be more than 0")
            .contains("correlation.flushConcurrency:")
            .contains("correlation.purgeBatch:"));
  }

  @Test
  void theShippedConfigurationParses() throws Exception {
    String yaml = java.nio.file.Files.readString(TestConfigs.CONF_DIR.resolve("callbridge.yaml"));
    CallBridgeConfig c = TestConfigs.parse(yaml);
    assertThat(c.correlation().queueCapacity()).isEqualTo(100_000);
  }
}
