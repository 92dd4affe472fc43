package io.callbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigLoader;
import io.callbridge.template.Templates;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.sim.SimConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The configurations load-tests/run.sh starts CallBridge and the simulator with still load, and the
 * load-test gateway keeps conf/demo.yaml's routes (what the Gatling simulations call) — so a change
 * to the demo routes or to the configuration schema shows up here, not in a failed load run.
 */
class LoadTestConfigsTest {
  static final Map<String, String> ENV = Map.of("CALLBRIDGE_SIM_PORT", "19870");

  /** Loads as the gateway does: the configuration, then its templates checked against its targets. */
  static CallBridgeConfig load(Path file) throws Exception {
    CallBridgeConfig config = ConfigLoader.load(file, ENV);
    Templates.of(config);
    return config;
  }

  static String shape(RouteConfig r) {
    return r.name() + " " + r.kind() + " " + r.path() + " deadline=" + r.deadline() + " required=" + r.required()
        + " settings=" + r.settings() + " targets="
        + r.targets().stream().map(LoadTestConfigsTest::shape).collect(Collectors.joining(","));
  }

  static String shape(TargetConfig t) {
    return t.name() + "->" + t.destination() + "[" + t.template() + "]" + t.vars();
  }

  @Test
  void theLoadTestGatewayHasTheDemoRoutes() throws Exception {
    CallBridgeConfig demo = load(Path.of("conf/demo.yaml"));
    CallBridgeConfig load = load(Path.of("load-tests/conf/gateway.yaml"));
    List<String> demoRoutes = demo.routes().stream().map(LoadTestConfigsTest::shape).toList();
    List<String> loadRoutes = load.routes().stream().map(LoadTestConfigsTest::shape).toList();
    assertThat(loadRoutes).as("load-tests/conf/gateway.yaml's routes are conf/demo.yaml's").isEqualTo(demoRoutes);
    assertThat(load.destinations().keySet()).isEqualTo(demo.destinations().keySet());
    assertThat(load.server().accessLog()).isFalse();
  }

  @Test
  void theFaultScenarioGatewayLoadsWithOneDestinationPerBuyer() throws Exception {
    CallBridgeConfig faults = load(Path.of("load-tests/conf/gateway-faults.yaml"));
    RouteConfig ping = faults.routes().get(0);
    assertThat(ping.name()).isEqualTo("td-ping");
    assertThat(ping.targets()).extracting(TargetConfig::destination).containsExactly("ringba-rtb-a", "ringba-rtb-b");
  }

  @Test
  void theSimulatorConfigurationsLoad() throws Exception {
    SimConfig.load(Path.of("load-tests/conf/sim.yaml"));
    String template = Files.readString(Path.of("load-tests/conf/sim-faults.yaml.in"));
    assertThat(template).contains("@HEALTHY@");
    SimConfig.parse(template.replace("@HEALTHY@", "ok, ok, ok"), "sim-faults.yaml");
  }
}
