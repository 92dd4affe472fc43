package io.callbridge.flow.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.RouteConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.IdKind;
import io.callbridge.deadline.Deadline;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Templates;
import io.callbridge.testing.FakeCallLinks;
import io.callbridge.testing.TestClock;
import io.callbridge.testing.TestConfigs;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.callbridge.upstream.OutboundRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
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
 * The enrich flow's decisions with fakes (an upstream client answering each publisher number as
 * scripted, links and outcome records kept in lists, a clock that stands still): the accept
 * verdict, sync and async answers, repeats of a call, links, bad input. {@code EnrichFlowTest}
 * keeps the IDE request against the Ringba simulator and the deadline end to end.
 */
class EnrichDecisionsTest {
  static final String YAML = """
      destinations:
        ide: { baseUrl: "http://127.0.0.1:9", simulator: true }
      routes:
        - name: sync
          kind: enrich
          auth: { token: t }
          required: [caller_id, call_uuid]
          targets:
            - { name: ringba-a, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: ringba-b, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-b }, required: false }
        - name: async
          kind: enrich
          mode: async
          auth: { token: t }
          targets:
            - { name: ringba-a, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-async } }
        - name: strict
          kind: enrich
          accept: required_targets
          auth: { token: t }
          targets:
            - { name: good, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: broken, destination: ide, template: ringba-enrich, vars: { publisher_number_id: broken-pn } }
        - name: lenient
          kind: enrich
          auth: { token: t }
          targets:
            - { name: good, destination: ide, template: ringba-enrich, vars: { publisher_number_id: pn-a } }
            - { name: broken, destination: ide, template: ringba-enrich, vars: { publisher_number_id: broken-pn } }
      """;

  record Written(String route, String callUuid, String subdomain, String mode, boolean accept, JsonArray targets) {}

  final TestClock clock = TestClock.at(Instant.parse("2026-12-02T12:00:00Z"));
  final List<OutboundRequest> sent = new ArrayList<>();
  final FakeCallLinks links = new FakeCallLinks();
  final List<CallLink> linked = links.linked;
  final List<Written> written = new ArrayList<>();
  /** Per publisher number: what the destination answers. Unscripted numbers answer 200. */
  final Map<String, Function<OutboundRequest, Future<Outcome>>> scripts = new HashMap<>();
  final Map<String, EnrichFlow> flows = new HashMap<>();
  CallBridgeConfig config;
  Templates templates;

  @BeforeEach
  void load() throws Exception {
    config = TestConfigs.parse(YAML);
    templates = Templates.of(config);
    scripts.put("broken-pn", r -> Future.succeededFuture(new Outcome.HttpError(500, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer(), Optional.empty(), Duration.ofMillis(3))));
  }

  EnrichFlow flow(String name) {
    return flows.computeIfAbsent(name, n -> {
      FanOut fanOut = new FanOut((destination, request, deadline, cancel) -> {
        sent.add(request);
        String pn = request.uri().substring("/enrich/".length(), request.uri().indexOf('?'));
        return scripts.getOrDefault(pn, r -> Future.succeededFuture(new Outcome.Ok(200,
            MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("{}"), Duration.ofMillis(2)))).apply(request);
      });
      return new EnrichFlow(config.route(n).orElseThrow(), templates, fanOut, new Metrics(), links,
          (route, uuid, sub, mode, accept, targets) -> written.add(new Written(route, uuid, sub, mode, accept, targets)));
    });
  }

  Future<Reply> enrich(String route, Map<String, Object> fields) {
    RouteConfig r = config.route(route).orElseThrow();
    return flow(route).handle(new Inbound(r, "req-1", "POST", MultiMap.caseInsensitiveMultiMap(), new HashMap<>(fields),
        new JsonObject(fields).toBuffer(), "", Deadline.in(r.deadline(), clock), clock.instant()));
  }

  Reply answered(String route, Map<String, Object> fields) {
    Future<Reply> f = enrich(route, fields);
    assertThat(f.isComplete()).isTrue();
    return f.result();
  }

  static Map<String, Object> call(String uuid) {
    return new HashMap<>(Map.of("caller_id", "(555) 777-9999", "call_uuid", uuid, "subdomain", "acme"));
  }

  @Test
  void syncAnswersWithEveryTargetsOutcomeAndKeepsThem() {
    Reply r = answered("sync", call("CA-1"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().getBoolean("accept")).isTrue();
    JsonArray targets = r.body().getJsonArray("targets");
    assertThat(targets).hasSize(2);
    assertThat(targets.getJsonObject(0).getString("name")).isEqualTo("ringba-a");
    assertThat(targets.getJsonObject(0).getString("outcome")).isEqualTo("ok");
    assertThat(targets.getJsonObject(0).getLong("latency_ms")).isEqualTo(2);
    assertThat(written).singleElement().satisfies(w -> {
      assertThat(w.callUuid()).isEqualTo("CA-1");
      assertThat(w.subdomain()).isEqualTo("acme");
      assertThat(w.mode()).isEqualTo("sync");
      assertThat(w.accept()).isTrue();
    });
  }

  @Test
  void aFailingRequiredTargetMeansDoNotAcceptUnlessThePolicyIsAlways() {
    Reply strict = answered("strict", call("CA-2"));
    assertThat(strict.body().getBoolean("accept")).isFalse();
    assertThat(strict.body().getJsonArray("targets").getJsonObject(1).getString("outcome")).isEqualTo("http_error");
    assertThat(strict.body().getJsonArray("targets").getJsonObject(1).getInteger("status")).isEqualTo(500);
    assertThat(answered("lenient", call("CA-3")).body().getBoolean("accept")).isTrue();
  }

  @Test
  void aTargetThatIsNotRequiredNeverRejects() {
    scripts.put("pn-b", r -> Future.succeededFuture(new Outcome.Timeout(true, Duration.ofMillis(800))));
    Reply r = answered("sync", call("CA-4"));
    assertThat(r.body().getBoolean("accept")).isTrue();
    assertThat(r.body().getJsonArray("targets").getJsonObject(1).getString("outcome")).isEqualTo("timeout");
  }

  @Test
  void asyncAnswers202BeforeTheTargetsAndStillRecordsThem() {
    Promise<Outcome> later = Promise.promise();
    scripts.put("pn-async", r -> later.future());
    Reply r = answered("async", call("CA-5"));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body().getBoolean("accept")).isTrue();
    assertThat(sent).hasSize(1);
    assertThat(written).isEmpty();
    later.complete(new Outcome.Ok(200, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("{}"), Duration.ofMillis(9)));
    assertThat(written).singleElement().satisfies(w -> assertThat(w.mode()).isEqualTo("async"));
  }

  @Test
  void aRepeatedCallGetsTheFirstAnswerWithoutASecondFanOut() {
    Reply first = answered("sync", call("CA-6"));
    Reply again = answered("sync", call("CA-6"));
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(sent).hasSize(2); // two targets, once
    answered("sync", call("CA-7"));
    assertThat(sent).hasSize(4);
  }

  @Test
  void theCallAndItsCompanyAreLinkedToTheCaller() {
    answered("sync", call("CA-8"));
    assertThat(linked).singleElement().satisfies(l -> {
      assertThat(l.id(IdKind.CALL_UUID)).contains("CA-8");
      assertThat(l.subdomain()).contains("acme");
      assertThat(l.id(IdKind.CALLER_ID)).contains("+15557779999");
    });
  }

  @Test
  void aCallThatCameFromRingbaIsLinkedToItsRingbaCall() {
    Map<String, Object> fields = call("CA-9");
    fields.put("ringba_call_uuid", "RGB-RT-9");
    answered("sync", fields);
    assertThat(linked).singleElement().satisfies(l -> {
      assertThat(l.id(IdKind.CALL_UUID)).contains("CA-9");
      assertThat(l.id(IdKind.INBOUND_CALL_ID)).contains("RGB-RT-9");
    });
  }

  @Test
  void badInputNamesTheFieldAndFansOutNothing() {
    Map<String, Object> noUuid = call("x");
    noUuid.remove("call_uuid");
    Reply missing = answered("sync", noUuid);
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.body().getString("field")).isEqualTo("call_uuid");
    Map<String, Object> badPhone = call("CA-9");
    badPhone.put("caller_id", "anonymous");
    Reply phone = answered("sync", badPhone);
    assertThat(phone.status()).isEqualTo(422);
    assertThat(phone.body().getString("field")).isEqualTo("caller_id");
    assertThat(sent).isEmpty();
    assertThat(linked).isEmpty();
  }
}
