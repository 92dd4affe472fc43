package io.callbridge.flow.enrich;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callbridge.config.EnrichSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.CallLinks;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Templates;
import io.callbridge.template.Phones;
import io.callbridge.template.Rendering;
import io.callbridge.template.RequestTemplate;
import io.callbridge.deadline.Deadline;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Enrich before dial: TrackDrive's pre-dial webhook fans the call's data out to every target of the
 * route (Ringba IDE and others) inside the route's deadline. {@code sync} answers once every target
 * settled or the deadline came, with per-target outcomes and an {@code accept} verdict TrackDrive
 * can act on; {@code async} answers 202 at once. A repeated {@code call_uuid} within the route's
 * {@code repeatWindow} gets the first answer and fans out nothing.
 */
public final class EnrichFlow implements Flow {
  private final RouteConfig route;
  private final EnrichSettings settings;
  private final List<TargetConfig> targets;
  private final List<RequestTemplate> templates;
  private final Phones phones;
  private final FanOut fanOut;
  private final EnrichMetrics metrics;
  private final CallLinks correlation;
  private final EnrichOutcomes records;
  private final Cache<String, Future<Reply>> firstAnswers;

  /**
   * {@code templates}: the targets' compiled templates (and their phone reader); {@code links}: where
   * the call's ids are linked; {@code records}: where each fan-out's outcomes are kept.
   */
  public EnrichFlow(RouteConfig route, Templates templates, FanOut fanOut, Metrics metrics, CallLinks links,
      EnrichOutcomes records) {
    this.route = route;
    this.settings = route.settingsAs(EnrichSettings.class);
    this.targets = route.targets();
    this.templates = targets.stream().map(t -> templates.get(t.template())).toList();
    this.phones = templates.phones();
    this.fanOut = fanOut;
    this.metrics = new EnrichMetrics(metrics, route);
    this.correlation = links;
    this.records = records;
    this.firstAnswers = Caffeine.newBuilder()
        .maximumSize(200_000)
        .expireAfterWrite(settings.repeatWindow().toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  @Override
  public Future<Reply> handle(Inbound inbound) {
    Optional<Reply> missing = inbound.missingRequired(route.required());
    if (missing.isPresent()) {
      metrics.result("invalid");
      return Future.succeededFuture(missing.get());
    }
    Optional<String> rawCaller = inbound.text("caller_id");
    String callerId = null;
    if (rawCaller.isPresent()) {
      Optional<String> e164 = phones.format(rawCaller.get(), Phones.Format.E164);
      if (e164.isEmpty()) {
        metrics.result("invalid");
        return Future.succeededFuture(Reply.error(422, "caller_id: not a phone number: '" + rawCaller.get() + "'", "caller_id"));
      }
      callerId = e164.get();
    }
    List<FanOut.Call> calls = new ArrayList<>(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      Rendering r = templates.get(i).render(inbound.fields(), targets.get(i).vars());
      if (r instanceof Rendering.Rejected rejected) {
        metrics.result("invalid");
        // A declared var left empty is the operator's mistake, not the caller's.
        return Future.succeededFuture(rejected.configuration()
            ? Reply.error(500, "route '" + route.name() + "' target '" + targets.get(i).name() + "': " + rejected.message()
                + " (fix its vars in the configuration)")
            : Reply.error(422, rejected.message(), rejected.token()));
      }
      calls.add(new FanOut.Call(targets.get(i).destination(), ((Rendering.Rendered) r).request()));
    }
    Optional<String> callUuid = inbound.text("call_uuid");
    if (callUuid.isPresent() || callerId != null) {
      CallLink.Builder link = CallLink.builder().callerId(callerId);
      callUuid.ifPresent(uuid -> link.callUuid(uuid, inbound.text("subdomain").orElse(null)));
      // A TrackDrive call that came from Ringba (a ring tree's post carries ringba_call_uuid, a
      // contact field TrackDrive keeps on the call) names its Ringba call: the two are one.
      inbound.text("ringba_call_uuid").ifPresent(link::inboundCallId);
      correlation.link(route.name(), link.build());
    }
    if (callUuid.isEmpty()) {
      return fanOut(inbound, calls);
    }
    // The first request for a call_uuid fans out; repeats within the window share its answer.
    String key = inbound.text("subdomain").orElse("") + '/' + callUuid.get();
    boolean[] first = {false};
    Future<Reply> answer = firstAnswers.get(key, k -> {
      first[0] = true;
      return fanOut(inbound, calls);
    });
    if (!first[0]) {
      metrics.result("repeat");
    }
    return answer;
  }

  private Future<Reply> fanOut(Inbound inbound, List<FanOut.Call> calls) {
    Deadline budget = inbound.deadline().minus(route.replyReserve());
    boolean async = settings.mode() == EnrichSettings.Mode.ASYNC;
    Future<JsonObject> settled = fanOut.all(calls, budget).map(outcomes -> {
      boolean accept = accept(outcomes);
      JsonArray details = new JsonArray();
      for (int i = 0; i < outcomes.size(); i++) {
        Outcome o = outcomes.get(i);
        metrics.target(targets.get(i).name(), o);
        JsonObject d = new JsonObject()
            .put("name", targets.get(i).name())
            .put("outcome", o.kind().label())
            .put("latency_ms", o.latency().toMillis());
        if (o instanceof Outcome.Ok ok) {
          d.put("status", ok.status());
        } else if (o instanceof Outcome.HttpError err) {
          d.put("status", err.status());
        }
        details.add(d);
      }
      // The call's record: written behind the answer, in both modes.
      inbound.text("call_uuid").ifPresent(uuid -> records.write(route.name(), uuid,
          inbound.text("subdomain").orElse(null), async ? "async" : "sync", accept, details));
      return new JsonObject().put("accept", accept).put("targets", details);
    });
    if (async) {
      metrics.result("async");
      return Future.succeededFuture(Reply.json(202, new JsonObject().put("accept", true).put("mode", "async")
          .put("targets", new JsonArray(targets.stream().map(t -> new JsonObject().put("name", t.name())).toList()))));
    }
    return settled.map(answer -> {
      metrics.result(answer.getBoolean("accept") ? "accept" : "reject");
      return Reply.json(200, answer);
    });
  }


  private boolean accept(List<Outcome> outcomes) {
    if (settings.accept() == EnrichSettings.AcceptPolicy.ALWAYS) {
      return true;
    }
    for (int i = 0; i < outcomes.size(); i++) {
      if (targets.get(i).required() && !outcomes.get(i).isOk()) {
        return false;
      }
    }
    return true;
  }
}
