package io.callbridge.demo;

import io.callbridge.sim.Simulator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a {@link FlowDemo} script works with: send a call into its route as the platform would,
 * read what went out to the simulators, check, and print the timeline as it goes. Blocking, on
 * the main thread (never an event loop).
 */
final class DemoCall {
  /** Thrown by {@link #send} when the route answers 501: the flow is not in this build yet. */
  static final class NotThereYet extends Exception {
    NotThereYet(String message) {
      super(message);
    }
  }

  enum Outcome { PASSED, FAILED, NOT_THERE_YET }

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

  private final FlowDemo script;
  private final String gatewayBase;
  private final String token;
  private final Simulator sim;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final java.time.Instant startedAt = java.time.Instant.now();
  /** Outbound requests already on the timeline (by the recorder's seq): each is printed once. */
  private final java.util.Set<Long> shown = new java.util.HashSet<>();
  private final long sinceSeq;
  private final List<String> failures = new ArrayList<>();
  private int checks;

  DemoCall(FlowDemo script, String gatewayBase, String token, Simulator sim, PrintStream out) {
    this.script = script;
    this.gatewayBase = gatewayBase;
    this.token = token;
    this.sim = sim;
    this.out = out;
    this.sinceSeq = sim.lastSeq();
  }

  record Answer(int status, String body) {
    JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        return new JsonObject();
      }
    }

    boolean ok() {
      return status / 100 == 2;
    }
  }

  /** POSTs {@code fields} as JSON to the script's route, as {@code who} (e.g. "TrackDrive") would. */
  Answer send(String who, Map<String, Object> fields) throws NotThereYet, IOException, InterruptedException {
    return send(who, fields, "");
  }

  /** As above, to a later {@code step} of the route ({@code accept}: {@code /v1/ring-tree/<route>/accept}). */
  Answer send(String who, Map<String, Object> fields, String step) throws NotThereYet, IOException,
      InterruptedException {
    String path = "/v1/" + segment(script.flow()) + "/" + script.route() + (step.isEmpty() ? "" : "/" + step);
    String body = new JsonObject(new LinkedHashMap<>(fields)).encode();
    line(who + " → CallBridge", "POST " + path + "  " + body);
    long before = sim.lastSeq();
    HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayBase + path))
        .timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .header("X-CallBridge-Token", token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    // What the answer waited for (a sync enrichment, the RTB pings) goes on the timeline before it.
    java.time.Instant answered = java.time.Instant.now();
    show(sim.requests("", before).stream().filter(e -> e.containsKey("status"))
        .filter(e -> java.time.Instant.parse(e.getString("at")).isBefore(answered)).toList());
    line("CallBridge → " + who, "← " + r.statusCode() + " " + shorten(r.body()));
    if (r.statusCode() == 501) {
      throw new NotThereYet("the " + script.flow() + " flow is not in this build");
    }
    return new Answer(r.statusCode(), r.body());
  }

  /**
   * Has the simulated Ringba play {@code call} through its ring tree {@code treeId}, with this
   * script's route as the one Ring Tree Target: Ringba pings the route, takes the best bid and calls
   * its bid acceptance ({@code <route>/accept}). Answers what Ringba did with the call.
   */
  Answer ringTree(String treeId, Map<String, Object> call) throws IOException, InterruptedException {
    String path = "/v1/" + segment(script.flow()) + "/" + script.route();
    JsonObject target = new JsonObject().put("name", "callbridge").put("url", gatewayBase + path)
        .put("headers", new JsonObject().put("X-CallBridge-Token", token));
    JsonObject body = new JsonObject().put("call", new JsonObject(new LinkedHashMap<>(call)))
        .put("targets", new io.vertx.core.json.JsonArray().add(target));
    line("Ringba ring tree", treeId + ": offers " + body.getJsonObject("call").encode() + " to " + path);
    long before = sim.lastSeq();
    HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/_sim/ring-tree/" + treeId))
        .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    show(sim.requests("", before).stream().filter(e -> e.containsKey("status")).toList());
    line("Ringba ring tree", "⇒ " + r.statusCode() + " " + shorten(r.body()));
    return new Answer(r.statusCode(), r.body());
  }

  /** What reached the simulators under {@code pathPrefix} since this call began (also printed, once each). */
  List<JsonObject> outbound(String pathPrefix) {
    List<JsonObject> found = sim.requests(pathPrefix, sinceSeq);
    return found;
  }

  /** Waits up to {@code timeout} for {@code count} answered requests matching {@code match} (asynchronous deliveries). */
  List<JsonObject> awaitOutbound(String pathPrefix, Predicate<JsonObject> match, int count, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonObject> found = outbound(pathPrefix).stream().filter(match).filter(e -> e.containsKey("status")).toList();
      if (found.size() >= count || System.nanoTime() > end) {
        return found;
      }
      Thread.sleep(50);
    }
  }

  /** Prints each recorded outbound request as one timeline line: where it went and what came back. */
  void show(List<JsonObject> requests) {
    for (JsonObject e : requests) {
      if (!shown.add(e.getLong("seq", -1L))) {
        continue;
      }
      String target = "CallBridge → " + platform(e.getString("endpoint"));
      String query = e.getString("query", "");
      String body = e.getString("body", "");
      String what = e.getString("method") + " " + e.getString("path") + (query.isEmpty() ? "" : "?" + query)
          + (body.isEmpty() ? "" : "  " + shorten(body));
      String back = e.containsKey("status")
          ? "  ⇒ " + e.getInteger("status") + " " + shorten(e.getString("response", "")) + "  (" + e.getString("outcome", "")
              + ", " + e.getLong("elapsedMs", 0L) + " ms at the simulator)"
          : "  ⇒ (" + e.getString("outcome", "no answer") + ")";
      long at = java.time.Duration.between(startedAt, java.time.Instant.parse(e.getString("at"))).toMillis();
      line(target, what + back, Math.max(0, at));
    }
  }

  void linked(String ids) {
    out.println(String.format("  %-9s%s", "ids", ids));
  }

  void note(String text) {
    out.println(String.format("  %-9s%s", "note", text));
  }

  /** One expectation; a false one fails the demo. */
  boolean expect(boolean ok, String what) {
    checks++;
    out.println(String.format("  %-9s%s %s", "check", ok ? "✔" : "✘", what));
    if (!ok) {
      failures.add(what);
    }
    return ok;
  }

  void fail(String what) {
    expect(false, what);
  }

  List<String> failures() {
    return failures;
  }

  int checks() {
    return checks;
  }

  /** A query parameter of a recorded request. */
  static String query(JsonObject recorded, String name) {
    for (String pair : recorded.getString("query", "").split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The JSON body of a recorded request (empty when it has none). */
  static JsonObject body(JsonObject recorded) {
    try {
      return new JsonObject(recorded.getString("body", ""));
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  /** The JSON answer the simulator gave to a recorded request. */
  static JsonObject response(JsonObject recorded) {
    try {
      return new JsonObject(recorded.getString("response", ""));
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private void line(String who, String what) {
    line(who, what, (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** A timeline line at {@code ms} after the call began (an outbound request: when it reached the simulator). */
  private void line(String who, String what, long ms) {
    out.println(String.format("  %-9s%-36s %s", "+" + ms + "ms", who, what));
  }

  private static String platform(String endpoint) {
    return switch (endpoint == null ? "" : endpoint) {
      case "ringba.enrich" -> "Ringba IDE";
      case "ringba.rtb" -> "Ringba RTB";
      case "ringba.webhook" -> "Ringba webhook";
      case "trackdrive.leads" -> "TrackDrive leads";
      case "trackdrive.update_call" -> "TrackDrive update_call";
      case "trackdrive.ping" -> "TrackDrive ping";
      case "trackdrive.post" -> "TrackDrive post";
      default -> "simulator (" + endpoint + ")";
    };
  }

  private static String segment(String flow) {
    return switch (flow) {
      case "lead" -> "leads";
      case "postback" -> "postbacks";
      default -> flow;
    };
  }

  static String shorten(String s) {
    String one = s == null ? "" : s.replaceAll("\\s+", " ").trim();
    return one.length() <= 220 ? one : one.substring(0, 220) + "…";
  }
}
