package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * What TrackDrive and Ringba send CallBridge, one chain per call: the pre-dial enrichment webhook
 * and the PING buyer request (TrackDrive, JSON POST, token in a static header), the Incoming pixel
 * (Ringba, GET with the token in the URL), and the two postback patterns, a share of them sent
 * twice as the platforms do when they retry. Routes and fields are conf/demo.yaml's.
 */
final class Platform {
  private Platform() {}

  /** Keep-alive connections shared by every virtual user, as a platform's webhook sender pools them. */
  static HttpProtocolBuilder protocol() {
    return http.baseUrl(Knobs.GATEWAY)
        .shareConnections()
        .acceptHeader("application/json")
        .userAgentHeader("callbridge-load-tests (Gatling)")
        .disableCaching()
        .warmUp(Knobs.ADMIN + "/health/live");
  }

  static final String PING = "ping td-ping";
  static final String RING_TREE_PING = "ring-tree ping ringba-ring-tree";
  static final String RING_TREE_ACCEPT = "ring-tree accept ringba-ring-tree";
  static final String ENRICH = "enrich td-enrich";
  static final String LEAD = "lead ringba-lead";
  static final String PAYOUT = "postback ringba-payout (pattern 1)";
  static final String PAYOUT_DUP = "postback ringba-payout duplicate";
  static final String CONVERSION = "postback td-conversion (pattern 2)";
  static final String CONVERSION_DUP = "postback td-conversion duplicate";

  /** The request name: warm-up requests (the ramp) are named apart so the figures and assertions leave them out. */
  static String name(String base, boolean warmUp) {
    return warmUp ? "warm-up " + base : base;
  }

  /** The JSON body TrackDrive's webhook sends: optional tags left out when the call has none. */
  private static String trackDriveJson(Session s) {
    StringBuilder b = new StringBuilder(160).append('{')
        .append("\"caller_id\":\"").append(s.getString("caller_id")).append('"')
        .append(",\"call_uuid\":\"").append(s.getString("call_uuid")).append('"')
        .append(",\"subdomain\":\"").append(s.getString("subdomain")).append('"');
    String zip = s.getString("zip");
    if (zip != null && !zip.isEmpty()) {
      b.append(",\"zip\":\"").append(zip).append("\",\"state\":\"").append(s.getString("state")).append('"');
    }
    return b.append('}').toString();
  }

  /** TrackDrive's PING buyer request; the answer is 200 with accepted true (a bid) or false (a reason). */
  static ChainBuilder ping(Iterator<Map<String, Object>> calls, boolean warmUp) {
    return feed(calls).exec(http(name(PING, warmUp)).post("/v1/ping/td-ping")
        .header("X-CallBridge-Token", Knobs.TOKEN)
        .header("Content-Type", "application/json")
        .body(StringBody(Platform::trackDriveJson))
        .check(status().is(200), jsonPath("$.accepted").ofBoolean().exists()));
  }

  /**
   * Ringba's ring tree pinging CallBridge as a Ring Tree Target (TrackDrive's buyers bid), then
   * accepting the bid it got: the accept posts TrackDrive's post step and answers its number.
   */
  static ChainBuilder ringTree(Iterator<Map<String, Object>> calls, boolean warmUp) {
    return feed(calls).exec(http(name(RING_TREE_PING, warmUp)).post("/v1/ring-tree/ringba-ring-tree")
        .header("X-CallBridge-Token", Knobs.TOKEN)
        .header("Content-Type", "application/json")
        .body(StringBody("{\"CID\":\"#{caller_id}\",\"inboundCallId\":\"#{inbound_call_id}\",\"zipcode\":\"#{zip}\"}"))
        .check(status().is(200), jsonPath("$.accepted").ofBoolean().is(true), jsonPath("$.bidId").saveAs("bidId")))
        .exec(http(name(RING_TREE_ACCEPT, warmUp)).post("/v1/ring-tree/ringba-ring-tree/accept")
            .header("X-CallBridge-Token", Knobs.TOKEN)
            .header("Content-Type", "application/json")
            .body(StringBody("{\"bidId\":\"#{bidId}\",\"CID\":\"#{caller_id}\"}"))
            .check(status().is(200), jsonPath("$.accepted").ofBoolean().is(true), jsonPath("$.phoneNumber").exists()));
  }

  /** TrackDrive's pre-dial webhook on the sync enrich route: 200 with accept and per-target outcomes. */
  static ChainBuilder enrich(Iterator<Map<String, Object>> calls, boolean warmUp) {
    return feed(calls).exec(http(name(ENRICH, warmUp)).post("/v1/enrich/td-enrich")
        .header("X-CallBridge-Token", Knobs.TOKEN)
        .header("Content-Type", "application/json")
        .body(StringBody(Platform::trackDriveJson))
        .check(status().is(200), jsonPath("$.accept").ofBoolean().exists()));
  }

  /** Ringba's Incoming pixel: a GET with the tokens in the query, 2xx once TrackDrive took the lead. */
  static ChainBuilder lead(Iterator<Map<String, Object>> calls, boolean warmUp) {
    return feed(calls).exec(http(name(LEAD, warmUp)).get("/v1/leads/ringba-lead")
        .queryParam("token", Knobs.TOKEN)
        .queryParam("caller_id", "#{caller_id}")
        .queryParam("inbound_call_id", "#{inbound_call_id}")
        .check(status().in(200, 201, 202)));
  }

  /**
   * Pattern 1, Ringba's Payout pixel carrying the TrackDrive uuid (GET, token in the URL): 202
   * once committed; the copy a share of pixels send again gets 200 with the first outcome.
   */
  static ChainBuilder payout(Iterator<Map<String, Object>> postbacks, boolean warmUp) {
    return feed(postbacks)
        .exec(payoutRequest(name(PAYOUT, warmUp)).check(status().is(202)))
        .doIf("#{dup}").then(pause(Duration.ofMillis(200), Duration.ofMillis(1500))
            .exec(payoutRequest(name(PAYOUT_DUP, warmUp)).check(status().is(200))));
  }

  private static io.gatling.javaapi.http.HttpRequestActionBuilder payoutRequest(String name) {
    return http(name).get("/v1/postbacks/ringba-payout")
        .queryParam("token", Knobs.TOKEN)
        .queryParam("trackdrive_call_uuid", "#{trackdrive_call_uuid}")
        .queryParam("trackdrive_subdomain", "#{trackdrive_subdomain}")
        .queryParam("payout", "#{payout}")
        .queryParam("revenue", "#{revenue}")
        .queryParam("converted", "#{converted}");
  }

  /**
   * Pattern 2, TrackDrive's conversion webhook carrying the Ringba id (POST JSON, token in a
   * header): 202 once committed; a repeat gets 200, and Ringba still sees one conversion.
   */
  static ChainBuilder conversion(Iterator<Map<String, Object>> postbacks, boolean warmUp) {
    String body = "{\"ringba_call_uuid\":\"#{ringba_call_uuid}\",\"payout\":#{payout}}";
    return feed(postbacks)
        .exec(http(name(CONVERSION, warmUp)).post("/v1/postbacks/td-conversion")
            .header("X-CallBridge-Token", Knobs.TOKEN)
            .header("Content-Type", "application/json")
            .body(StringBody(body))
            .check(status().is(202)))
        .doIf("#{dup}").then(pause(Duration.ofMillis(200), Duration.ofMillis(1500))
            .exec(http(name(CONVERSION_DUP, warmUp)).post("/v1/postbacks/td-conversion")
                .header("X-CallBridge-Token", Knobs.TOKEN)
                .header("Content-Type", "application/json")
                .body(StringBody(body))
                .check(status().is(200))));
  }

  /**
   * Reads a destination's breaker gauge from the admin port's /metrics and records it as a request
   * named after the state ("breaker ringba-rtb-b: open"), so the report counts seconds per state.
   */
  static ChainBuilder breakerProbe(String destination) {
    String pattern = "callbridge_upstream_breaker_state\\{destination=\"" + destination + "\"\\} ([0-9.]+)";
    String key = "breaker_" + destination.replaceAll("[^A-Za-z0-9]", "_");
    return exec(http("scrape /metrics").get(Knobs.ADMIN + "/metrics")
        .check(status().is(200), regex(pattern).optional().saveAs(key)))
        .exec(session -> {
          String v = session.getString(key);
          String word = v == null ? "absent" : switch ((int) Double.parseDouble(v)) {
            case 0 -> "closed";
            case 1 -> "half-open";
            default -> "open";
          };
          return session.set(key + "_word", word).remove(key);
        })
        .exec(http("breaker " + destination + ": #{" + key + "_word}").get(Knobs.ADMIN + "/health/live")
            .check(status().is(200)));
  }
}
