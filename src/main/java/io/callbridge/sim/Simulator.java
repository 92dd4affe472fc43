package io.callbridge.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Simulated Ringba (IDE enrichment, RTB, incoming webhook) and TrackDrive (leads, update_call,
 * ping) on one HTTP port, with latency and faults per endpoint id from a {@link SimConfig},
 * deterministic for a seed, and a recorder of every request received ({@code GET /_sim/requests}).
 *
 * <pre>{@code
 * Simulator sim = Simulator.start(vertx, SimConfig.load(Path.of("conf/sim.yaml")), 42, 0)
 *     .await();                                    // or compose; port 0 = ephemeral
 * String base = sim.baseUrl();                     // http://127.0.0.1:<port>
 * List<JsonObject> hooks = sim.requests("/hook/"); // what reached "Ringba"
 * sim.close();
 * }</pre>
 */
public final class Simulator {
  private final Vertx vertx;
  private final String deploymentId;
  private final SimServer server;
  private final Recorder recorder;
  private final SimState state;

  private Simulator(Vertx vertx, String deploymentId, SimServer server, Recorder recorder, SimState state) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.server = server;
    this.recorder = recorder;
    this.state = state;
  }

  /** Starts on {@code port} (0: ephemeral); {@code seed} replaces the configuration's seed. */
  public static Future<Simulator> start(Vertx vertx, SimConfig config, long seed, int port) {
    return start(vertx, config, seed, port, Clock.systemUTC());
  }

  /** As {@link #start(Vertx, SimConfig, long, int)}, with the clock bids expire by. */
  public static Future<Simulator> start(Vertx vertx, SimConfig config, long seed, int port, Clock clock) {
    SimConfig seeded = config.withSeed(seed);
    Recorder recorder = new Recorder(seeded.recorderCapacity(), seeded.recorderBodyBytes());
    SimState state = new SimState();
    SimServer server = new SimServer(seeded, port, recorder, state, clock);
    return vertx.deployVerticle(server).map(id -> new Simulator(vertx, id, server, recorder, state));
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Recorded requests whose path starts with {@code pathPrefix} ("" for all), oldest first. */
  public List<JsonObject> requests(String pathPrefix) {
    return recorder.find(pathPrefix, 0, Integer.MAX_VALUE);
  }

  /** Recorded requests after sequence number {@code since} (see {@link #lastSeq()}). */
  public List<JsonObject> requests(String pathPrefix, long since) {
    return recorder.find(pathPrefix, since, Integer.MAX_VALUE);
  }

  /** Recorded requests received at or after {@code since}. */
  public List<JsonObject> requests(String pathPrefix, Instant since) {
    return recorder.findSince(pathPrefix, since, Integer.MAX_VALUE);
  }

  /** The sequence number of the latest recorded request: pass it as {@code since} to see only later ones. */
  public long lastSeq() {
    return recorder.lastSeq();
  }

  public void clearRequests() {
    recorder.clear();
  }

  /** What the platforms remember: enrichments, conversions, leads, call updates (as {@code GET /_sim/state}). */
  public JsonObject state() {
    return state.snapshot();
  }

  /**
   * Calls put on either platform's reporting API as if they had happened there (as {@code POST
   * /_sim/reporting}): {@code {"trackdrive": [...], "ringba": [...]}}. Answers how many it took.
   */
  public int seedReporting(JsonObject calls) {
    return state.seed(calls);
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentId);
  }
}
