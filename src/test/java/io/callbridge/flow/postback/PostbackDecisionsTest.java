package io.callbridge.flow.postback;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.deadline.Deadline;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.outbox.DurableQueue;
import io.callbridge.outbox.Enqueued;
import io.callbridge.outbox.Envelope;
import io.callbridge.outbox.OutboxMetrics;
import io.callbridge.template.Templates;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The postback flow's decisions with fakes: a durable queue that keeps the envelopes it is given
 * and answers as the test says, a call matcher from a map, and a clock that stands still. What is
 * stored (key, call, request, hold), what is answered, what is refused. No PostgreSQL, no sockets.
 * {@code PostbackFlowTest} keeps durability, delivery and retries end to end.
 */
class PostbackDecisionsTest {
  static final String YAML = """
      destinations:
        td:
          baseUrl: "http://127.0.0.1:9"
          simulator: true
          platform: trackdrive
          callHost: "{subdomain}.trackdrive.com"
          subdomains: [acme, beta]
        ringba: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: ringba-payout
          kind: postback
          auth: { token: t }
          callIdField: trackdrive_call_uuid
          eventKind: payout
          matchBy: [inboundCallId, caller_id]
          targets: [ { destination: td, template: trackdrive-update-call } ]
        - name: td-conversion
          kind: postback
          auth: { token: t }
          callIdField: ringba_call_uuid
          oncePerCall: true
          targets: [ { destination: ringba, template: ringba-conversion-webhook, vars: { webhook_id: WH1 } } ]
        - name: misconfigured
          kind: postback
          auth: { token: t }
          callIdField: ringba_call_uuid
          oncePerCall: true
          targets: [ { destination: ringba, template: ringba-conversion-webhook, vars: { webhook_id: "" } } ]
      """;

  final TestClock clock = TestClock.at(Instant.parse("2026-12-02T12:00:00Z"));
  final List<Envelope> stored = new ArrayList<>();
  /** How the fake queue answers; a failed future is PostgreSQL not committing. */
  Function<Envelope, Future<Enqueued>> queue =
      e -> Future.succeededFuture(new Enqueued(stored.size(), Enqueued.Result.CREATED,
          e.hold().map(Envelope.Hold::status).orElse("pending"), Optional.empty()));
  final Map<String, Map<String, Object>> knownCalls = new HashMap<>();
  /** When set, the matcher finds several plausible calls. */
  String ambiguity;
  CallBridgeConfig config;
  Templates templates;

  @BeforeEach
  void load() throws Exception {
    config = TestConfigs.parse(YAML);
    templates = Templates.of(config);
  }

  PostbackFlow flow(String name) {
    RouteConfig route = config.route(name).orElseThrow();
    DurableQueue durable = e -> {
      stored.add(e);
      return queue.apply(e);
    };
    CallMatcher matcher = (r, fields) -> Future.succeededFuture(ambiguity != null ? CallMatcher.Match.ambiguous(ambiguity)
        : CallMatcher.Match.of(knownCalls.getOrDefault(String.valueOf(fields.get("inboundCallId")), Map.of())));
    return new PostbackFlow(route, templates, config.destinations().get(route.targets().get(0).destination()),
        durable, new OutboxMetrics(new Metrics()), matcher);
  }

  Reply post(String route, Map<String, Object> fields) {
    RouteConfig r = config.route(route).orElseThrow();
    Buffer body = new JsonObject(fields).toBuffer();
    Inbound in = new Inbound(r, "req-1", "POST", MultiMap.caseInsensitiveMultiMap(), new HashMap<>(fields), body, "",
        Deadline.in(Duration.ofSeconds(5), clock), clock.instant());
    Future<Reply> answer = flow(route).handle(in);
    assertThat(answer.isComplete()).isTrue();
    return answer.result();
  }

  Envelope only() {
    assertThat(stored).hasSize(1);
    return stored.get(0);
  }

  static JsonObject body(Envelope e) {
    return new JsonObject(e.request().orElseThrow().bodyText());
  }

  @Test
  void ringbasPayoutIsTrackDrivesRevenueOnTheCallsOwnCompanyHost() {
    Reply r = post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-1", "trackdrive_subdomain", "beta",
        "payout", "12.50"));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body().getString("status")).isEqualTo("pending");
    Envelope e = only();
    assertThat(e.callId()).contains("CA-1");
    assertThat(e.idempotencyKey()).startsWith("payout|");
    assertThat(e.request().orElseThrow().uri()).isEqualTo("/api/v1/calls/update_call/CA-1");
    assertThat(e.request().orElseThrow().headers()).containsEntry("Host", "beta.trackdrive.com");
    JsonObject sent = body(e);
    assertThat(sent.getValue("revenue")).isEqualTo(12.5);
    assertThat(sent.containsKey("payout")).as("TrackDrive's payout is what the buyer pays: never this").isFalse();
    assertThat(sent.getString("buyer_converted")).isEqualTo("true");
  }

  @Test
  void aZeroPayoutUpdatesWithoutConverting() {
    post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-2", "trackdrive_subdomain", "acme", "payout", "0"));
    assertThat(body(only()).getString("buyer_converted")).isEqualTo("false");
    assertThat(body(only()).getString("offer_converted")).isEqualTo("false");
  }

  @Test
  void aSubdomainTheDestinationDoesNotAllowIsRefusedAndNothingIsStored() {
    Reply r = post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-3", "trackdrive_subdomain", "evil",
        "payout", "5"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body().getString("field")).isEqualTo("trackdrive_subdomain");
    assertThat(stored).isEmpty();
  }

  @Test
  void withSeveralCompaniesAndNoSubdomainTheCallIsHeldUnmatchedNotGuessed() {
    Reply r = post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-4", "payout", "5"));
    assertThat(r.status()).isEqualTo(202);
    Envelope e = only();
    assertThat(e.hold()).hasValueSatisfying(h -> {
      assertThat(h.status()).isEqualTo("unmatched");
      assertThat(h.reason()).contains("subdomain").contains("[acme, beta]");
    });
    assertThat(e.request()).isEmpty();
  }

  @Test
  void correlationFillsTheMissingCallAndCompany() {
    knownCalls.put("RGB-5", Map.of("trackdrive_call_uuid", "CA-5", "trackdrive_subdomain", "acme"));
    post("ringba-payout", Map.of("inboundCallId", "RGB-5", "payout", "7"));
    Envelope e = only();
    assertThat(e.callId()).contains("CA-5");
    assertThat(e.request().orElseThrow().headers()).containsEntry("Host", "acme.trackdrive.com");
  }

  @Test
  void anUnknownCallIsStoredUnmatchedUnderItsOwnDigestNeverSentToAGuess() {
    Reply r = post("ringba-payout", Map.of("inboundCallId", "RGB-unknown", "payout", "7"));
    assertThat(r.status()).isEqualTo(202);
    Envelope e = only();
    assertThat(e.callId()).isEmpty();
    assertThat(e.request()).isEmpty();
    assertThat(e.idempotencyKey()).isEqualTo("payout|unmatched|" + e.raw().digest());
  }

  @Test
  void severalPlausibleCallsHoldThePostbackUnmatchedWithTheCandidates() {
    ambiguity = "ambiguous: caller_id '+15557770001' names 2 calls (CA-x, CA-y)";
    Reply r = post("ringba-payout", Map.of("inboundCallId", "RGB-amb", "caller_id", "+15557770001", "payout", "9"));
    assertThat(r.status()).as("stored, so nothing is lost").isEqualTo(202);
    Envelope e = only();
    assertThat(e.callId()).isEmpty();
    assertThat(e.request()).as("never rendered for a guessed call").isEmpty();
    assertThat(e.hold()).hasValueSatisfying(h -> {
      assertThat(h.status()).isEqualTo("unmatched");
      assertThat(h.reason()).contains("CA-x", "CA-y");
    });
  }

  @Test
  void aNonConversionIsKeptSkippedAndNeverUsesUpTheOneConversion() {
    Reply r = post("td-conversion", Map.of("ringba_call_uuid", "RGB-6", "payout", "0"));
    assertThat(r.status()).isEqualTo(202);
    Envelope e = only();
    assertThat(e.hold()).hasValueSatisfying(h -> assertThat(h.status()).isEqualTo("skipped"));
    assertThat(e.oncePerCall()).as("does not take the call's one conversion").isFalse();
    assertThat(e.idempotencyKey()).contains("#not-converted:");
  }

  @Test
  void trackDrivesPayoutIsRingbasConversionRevenue() {
    post("td-conversion", Map.of("ringba_call_uuid", "RGB-7", "payout", "18.25"));
    Envelope e = only();
    assertThat(e.oncePerCall()).isTrue();
    assertThat(e.hold()).isEmpty();
    assertThat(e.request().orElseThrow().uri()).contains("WH1").contains("call_revenue=18.25");
  }

  @Test
  void aConfigurationProblemIsStoredDeadForReplayNotTheSendersFault() {
    Reply r = post("misconfigured", Map.of("ringba_call_uuid", "RGB-8", "payout", "3"));
    assertThat(r.status()).isEqualTo(202);
    assertThat(only().hold()).hasValueSatisfying(h -> {
      assertThat(h.status()).isEqualTo("dead");
      assertThat(h.reason()).contains("webhook_id").contains("configuration");
    });
  }

  @Test
  void badInputNamesTheFieldAndStoresNothing() {
    Reply negative = post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-9", "payout", "-1"));
    assertThat(negative.status()).isEqualTo(422);
    assertThat(negative.body().getString("field")).isEqualTo("payout");
    Reply words = post("ringba-payout", Map.of("trackdrive_call_uuid", "CA-9", "payout", "lots"));
    assertThat(words.body().getString("error")).contains("not an amount");
    Reply longId = post("ringba-payout", Map.of("trackdrive_call_uuid", "C".repeat(201), "payout", "1"));
    assertThat(longId.status()).isEqualTo(422);
    assertThat(longId.body().getString("field")).isEqualTo("trackdrive_call_uuid");
    assertThat(stored).isEmpty();
  }

  @Test
  void whatTheQueueSaysIsWhatTheSenderHears() {
    queue = e -> Future.succeededFuture(new Enqueued(41, Enqueued.Result.DUPLICATE, "delivered", Optional.empty()));
    Reply dup = post("td-conversion", Map.of("ringba_call_uuid", "RGB-10", "payout", "4"));
    assertThat(dup.status()).isEqualTo(200);
    assertThat(dup.body().getLong("id")).isEqualTo(41);
    assertThat(dup.body().getBoolean("duplicate")).isTrue();

    queue = e -> Future.succeededFuture(new Enqueued(42, Enqueued.Result.CONFLICT, "conflict", Optional.of(41L)));
    Reply conflict = post("td-conversion", Map.of("ringba_call_uuid", "RGB-10", "payout", "5"));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.body().getLong("original")).isEqualTo(41);

    queue = e -> Future.failedFuture("PostgreSQL did not commit in time");
    Reply unavailable = post("td-conversion", Map.of("ringba_call_uuid", "RGB-11", "payout", "5"));
    assertThat(unavailable.status()).as("nothing acknowledged that was not stored").isEqualTo(503);
  }
}
