package io.callbridge.testing;

import io.callbridge.Gateway;
import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway on a fresh schema in front of both platforms' simulators, for tests that run flows end
 * to end. The gateway's YAML reaches the simulator through {@code ${SIM}} (its port).
 */
public final class SimulatedGateway implements AutoCloseable {
  public final Simulator sim;
  public final Gateway gateway;
  public final String base;
  public final String admin;
  private final Vertx vertx;
  private final PostgresConfig db;
  private final String gatewayYaml;
  private final Map<String, String> vars;
  private final java.util.List<Gateway> others = new java.util.ArrayList<>();

  private SimulatedGateway(Vertx vertx, Simulator sim, PostgresConfig db, Gateway gateway, String gatewayYaml,
      Map<String, String> vars) {
    this.gatewayYaml = gatewayYaml;
    this.vars = vars;
    this.vertx = vertx;
    this.sim = sim;
    this.db = db;
    this.gateway = gateway;
    this.base = "http://127.0.0.1:" + gateway.publicPort();
    this.admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  public static SimulatedGateway start(Class<?> test, String simYaml, long seed, String gatewayYaml) {
    return start(test, simYaml, seed, gatewayYaml, Map.of());
  }

  public static SimulatedGateway start(Class<?> test, String simYaml, long seed, String gatewayYaml,
      Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, SimConfig.parse(simYaml, test.getSimpleName()), seed, 0).await();
    PostgresConfig db = TestDb.freshSchema(test);
    Map<String, String> vars = new HashMap<>(env);
    vars.put("SIM", String.valueOf(sim.port()));
    Gateway gateway = Gateway.start(TestConfigs.forTest(gatewayYaml, db, vars)).await();
    return new SimulatedGateway(vertx, sim, db, gateway, gatewayYaml, vars);
  }

  /** The gateway's PostgreSQL schema (for a test that must set up a row's state directly). */
  public PostgresConfig db() {
    return db;
  }

  /** Another instance of the same deployment: the same configuration and PostgreSQL, its own ports and caches. */
  public Gateway another() {
    return another(Map.of());
  }

  /** Another instance on the same PostgreSQL, with {@code env} added to its environment (e.g. another deployment). */
  public Gateway another(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(vars);
    all.putAll(env);
    Gateway g = Gateway.start(TestConfigs.forTest(gatewayYaml, db, all)).await();
    others.add(g);
    return g;
  }

  @Override
  public void close() {
    others.forEach(g -> g.stop().await());
    gateway.stop().await();
    sim.close().await();
    vertx.close().await();
    TestDb.drop(db);
  }
}
