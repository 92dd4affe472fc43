package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.ConfigLoader;
import io.callbridge.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Templates compile from a loaded configuration; problems are configuration errors with a place. */
class TemplateConfigTest {
  static final String ROUTES = """
      destinations:
        ringba-rtb: { baseUrl: "https://rtb.ringba.com" }
      routes:
        - name: td-ping
          kind: ping
          auth: { token: t }
          targets:
            - destination: ringba-rtb
              template: %s
              vars: %s
      """;

  @Test
  void shippedConfigurationCompilesItsTemplates() throws Exception {
    CallBridgeConfig c = ConfigLoader.load(Path.of("conf/callbridge.yaml"), Map.of());
    assertThat(Templates.of(c).all()).extracting(t -> t.name()).containsExactlyInAnyOrder("ringba-enrich",
        "ringba-rtb-ping", "ringba-conversion-webhook", "trackdrive-lead", "trackdrive-update-call");
  }

  @Test
  void targetsAreCheckedAgainstTheirTemplate() {
    assertThatThrownBy(() -> TestConfigs.parse(ROUTES.formatted("ringba-rtb-ping", "{ rtb: x }")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "routes[0].targets[0].vars: template 'ringba-rtb-ping' needs var 'rtb_id' (add vars: { rtb_id: ... })",
            "routes[0].targets[0].vars.rtb: template 'ringba-rtb-ping' has no token [rtb] (its tokens: "
                + "rtb_environment, rtb_id, caller_id, zip, state, call_uuid, subdomain, sip_ok, tags)"));
  }

  @Test
  void compiledTemplatesAreThereForFlows() throws Exception {
    CallBridgeConfig c = TestConfigs.parse(ROUTES.formatted("ringba-rtb-ping", "{ rtb_id: R1 }"));
    Rendering r = Templates.of(c).get("ringba-rtb-ping").render(Map.of("caller_id", "5557779999"),
        c.routes().get(0).targets().get(0).vars());
    assertThat(r).isInstanceOf(Rendering.Rendered.class);
  }

  @Test
  void malformedTemplateIsAnErrorWithFileLineAndColumn(@TempDir Path dir) throws Exception {
    Path templates = Files.createDirectories(dir.resolve("templates"));
    Files.writeString(templates.resolve("broken.yaml"), """
        method: POST
        path: /v1/production/[rtb_id].json
        vars: [rtb_id]
        body:
          json:
            CID: "[caller_id|digits12]"
        """);
    assertThatThrownBy(() -> Templates.of(ConfigLoader.parse(ROUTES.formatted("broken", "{ rtb_id: R1 }"), "c.yaml", dir,
        Map.of())))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            templates.resolve("broken.yaml") + ":6:22: unknown filter 'digits12' in [caller_id|digits12] (known: "
                + "e164, digits11, digits10, digits, upper, lower, trim, number, bool, json)"));
  }
}
