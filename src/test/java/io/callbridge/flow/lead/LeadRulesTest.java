package io.callbridge.flow.lead;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.IdKind;
import io.callbridge.deadline.Deadline;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.outbox.Enqueued;
import io.callbridge.outbox.Envelope;
import io.callbridge.outbox.Outbox;
import io.callbridge.template.Templates;
import io.callbridge.testing.FakeCallLinks;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
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
 * The lead flow's rules with fakes (a durable queue that keeps envelopes, links kept in a list, a
 * clock that stands still): the posting instructions used exactly, the company host from the
 * endpoint URL, one lead per Ringba call, the freshness deadline, refusals. {@code LeadFlowTest}
 * keeps delivery to the TrackDrive simulator end to end.
 */
class LeadRulesTest {
  static final String YAML = """
      destinations:
        td:
          baseUrl: "https://acme.trackdrive.com"
          platform: trackdrive
          callHost: "{subdomain}.trackdrive.com"
          subdomains: [acme, beta]
      routes:
        - name: lead
          kind: lead
          auth: { token: t }
          postingInstructions:
            leadToken: tok-123
            trafficSourceId: "1001"
            endpointUrl: "https://beta.trackdrive.com/api/v1/leads?source=ringba"
          freshness: 90s
          targets: [ { destination: td, template: trackdrive-lead } ]
      """;

  final TestClock clock = TestClock.at(Instant.parse("2026-12-02T12:00:00Z"));
  final List<Envelope> stored = new ArrayList<>();
  final FakeCallLinks links = new FakeCallLinks();
  final List<CallLink> linked = links.linked;
  Function<Envelope, Future<Enqueued>> queue =
      e -> Future.succeededFuture(new Enqueued(7, Enqueued.Result.CREATED, "pending", Optional.empty()));
  CallBridgeConfig config;
  LeadFlow flow;

  @BeforeEach
  void load() throws Exception {
    config = TestConfigs.parse(YAML);
    RouteConfig route = config.route("lead").orElseThrow();
    flow = new LeadFlow(route, Templates.of(config), config.destinations().get("td"), e -> {
      stored.add(e);
      return queue.apply(e);
    }, links, new Metrics());
  }

  Reply pixel(Map<String, Object> fields) {
    RouteConfig r = config.route("lead").orElseThrow();
    Inbound in = new Inbound(r, "req-1", "GET", MultiMap.caseInsensitiveMultiMap(), new HashMap<>(fields),
        io.vertx.core.buffer.Buffer.buffer(), "", Deadline.in(Duration.ofSeconds(5), clock), clock.instant());
    Future<Reply> answer = flow.handle(in);
    assertThat(answer.isComplete()).isTrue();
    return answer.result();
  }

  @Test
  void theLeadIsPostedWithThePostingInstructionsExactlyOnTheirCompanyHost() {
    Reply r = pixel(Map.of("caller_id", "(773) 555-0123", "inbound_call_id", "RGB-1"));
    assertThat(r.status()).isEqualTo(202);
    assertThat(stored).hasSize(1);
    Envelope e = stored.get(0);
    assertThat(e.idempotencyKey()).isEqualTo("lead|RGB-1");
    assertThat(e.callId()).contains("RGB-1");
    assertThat(e.request().orElseThrow().uri()).isEqualTo("/api/v1/leads?source=ringba");
    assertThat(e.request().orElseThrow().headers()).containsEntry("Host", "beta.trackdrive.com");
    JsonObject body = new JsonObject(e.request().orElseThrow().bodyText());
    assertThat(body.getString("lead_token")).isEqualTo("tok-123");
    assertThat(body.getString("traffic_source_id")).isEqualTo("1001");
    assertThat(body.getString("caller_id")).isEqualTo("+17735550123");
    assertThat(body.getJsonObject("data").getString("ringba_call_uuid")).isEqualTo("RGB-1");
    assertThat(e.staleAt()).as("a late lead can attach to the caller's next call").contains(
        clock.instant().plusSeconds(90));
  }

  @Test
  void theRingbaCallAndTheCallerAreLinkedThenTrackDrivesLeadId() {
    pixel(Map.of("caller_id", "7735550124", "inbound_call_id", "RGB-2"));
    assertThat(linked).hasSize(1);
    assertThat(linked.get(0).id(IdKind.INBOUND_CALL_ID)).contains("RGB-2");
    assertThat(linked.get(0).id(IdKind.CALLER_ID)).contains("+17735550124");
    flow.delivered(new Outbox.Delivered(7, "lead", "RGB-2", "{\"status\":\"success\",\"lead\":{\"id\":9001}}"));
    assertThat(linked).hasSize(2);
    assertThat(linked.get(1).id(IdKind.LEAD_ID)).contains("9001");
    assertThat(linked.get(1).id(IdKind.INBOUND_CALL_ID)).contains("RGB-2");
    flow.delivered(new Outbox.Delivered(8, "lead", "RGB-3", "<html>no json</html>"));
    assertThat(linked).as("an answer without a lead id links nothing").hasSize(2);
  }

  @Test
  void aRepeatedPixelIsADuplicateOfTheFirstLead() {
    queue = e -> Future.succeededFuture(new Enqueued(7, Enqueued.Result.DUPLICATE, "delivered", Optional.empty()));
    Reply r = pixel(Map.of("caller_id", "7735550125", "inbound_call_id", "RGB-4"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().getBoolean("duplicate")).isTrue();
    assertThat(r.body().getLong("id")).isEqualTo(7);
  }

  @Test
  void badInputNamesTheFieldAndStoresNothing() {
    Reply phone = pixel(Map.of("caller_id", "anonymous", "inbound_call_id", "RGB-5"));
    assertThat(phone.status()).isEqualTo(422);
    assertThat(phone.body().getString("field")).isEqualTo("caller_id");
    Reply longId = pixel(Map.of("caller_id", "7735550126", "inbound_call_id", "R".repeat(201)));
    assertThat(longId.status()).isEqualTo(422);
    assertThat(longId.body().getString("field")).isEqualTo("inbound_call_id");
    assertThat(stored).isEmpty();
  }

  @Test
  void aLeadPostgresCouldNotCommitIsAnswered503() {
    queue = e -> Future.failedFuture("no commit in time");
    assertThat(pixel(Map.of("caller_id", "7735550127", "inbound_call_id", "RGB-6")).status()).isEqualTo(503);
  }
}
