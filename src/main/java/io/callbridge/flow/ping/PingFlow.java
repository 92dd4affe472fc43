package io.callbridge.flow.ping;

import io.callbridge.correlation.CallLinks;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Templates;
import io.callbridge.config.PingSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.template.RequestTemplate;
import io.callbridge.template.Rendering;
import io.callbridge.deadline.Deadline;
import io.callbridge.upstream.FanOut;
import io.callbridge.upstream.Outcome;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The ping/post flow: TrackDrive's PING buyer asks, every RTB target of the route is pinged at
 * once inside the deadline, the best live bid is answered (HTTP 200 either way), linked to the
 * call behind the answer, and kept in the ping shield for identical pings while it lives.
 */
public final class PingFlow implements Flow {
  private final RouteConfig route;
  private final PingInput input;
  private final FanOut fanOut;
  private final List<TargetConfig> targets;
  private final RequestTemplate[] templates;
  private final Selection selection;
  private final PingAnswer answer;
  private final PingShield shield;
  private final PingMetrics metrics;
  private final BidLinks links;
  private final PingOutcomes outcomes;
  private final Clock clock;

  PingFlow(RouteConfig route, PingInput input, FanOut fanOut, RequestTemplate[] templates, PingAnswer answer,
      PingShield shield, PingMetrics metrics, BidLinks links, Clock clock) {
    this(route, input, fanOut, templates, answer, shield, metrics, links, clock, PingOutcomes.NONE);
  }

  PingFlow(RouteConfig route, PingInput input, FanOut fanOut, RequestTemplate[] templates, PingAnswer answer,
      PingShield shield, PingMetrics metrics, BidLinks links, Clock clock, PingOutcomes outcomes) {
    PingSettings s = route.settingsAs(PingSettings.class);
    this.outcomes = s.recordOutcomes() ? outcomes : PingOutcomes.NONE;
    this.route = route;
    this.input = input;
    this.fanOut = fanOut;
    this.targets = route.targets();
    this.templates = templates;
    this.selection = new Selection(route.targets().stream().mapToDouble(t -> t.floor().orElse(s.floor())).toArray(),
        s.floor(), s.minTransferSeconds());
    this.answer = answer;
    this.shield = shield;
    this.metrics = metrics;
    this.links = links;
    this.clock = clock;
  }

  /** The flow of one ping route: its targets' templates, the fan-out, where bids are linked, its meters. */
  public static PingFlow create(RouteConfig route, Templates templates, FanOut fanOut, CallLinks links,
      Metrics metrics, Clock clock) {
    return create(route, templates, fanOut, links, metrics, clock, PingOutcomes.NONE);
  }

  /** As above, writing each ping's record to {@code outcomes} when the route says recordOutcomes. */
  public static PingFlow create(RouteConfig route, Templates templates, FanOut fanOut, CallLinks links,
      Metrics metrics, Clock clock, PingOutcomes outcomes) {
    PingSettings s = route.settingsAs(PingSettings.class);
    List<String> names = route.targets().stream().map(TargetConfig::name).toList();
    PingInput input = new PingInput(route.name(), route.required(), s.shieldIgnore(), templates.phones(), s.shield(),
        s.tags());
    RequestTemplate[] compiled = route.targets().stream()
        .map(t -> templates.get(t.template())).toArray(RequestTemplate[]::new);
    RequestTemplate answerTemplate = s.answerTemplate().isEmpty() ? null : templates.get(s.answerTemplate());
    PingShield shield = s.shield() ? new PingShield(s.shieldMaxEntries(), s.minTransferSeconds(), clock) : null;
    return new PingFlow(route, input, fanOut, compiled, new PingAnswer(s, answerTemplate,
        route.targets().stream().mapToInt(t -> t.conversionSeconds().orElse(s.conversionSeconds())).toArray()),
        shield, new PingMetrics(metrics, route.name(), names), new BidLinks(links, route.name()), clock, outcomes);
  }

  @Override
  public Future<Reply> handle(Inbound in) {
    long start = System.nanoTime();
    PingInput.Parsed parsed = input.parse(in);
    if (parsed instanceof PingInput.Invalid invalid) {
      metrics.invalidInput();
      return Future.succeededFuture(invalid.reply());
    }
    PingRequest request = (PingRequest) parsed;
    Prepared rendered = render(request);
    if (rendered.invalid() != null) {
      metrics.invalidInput();
      return Future.succeededFuture(rendered.invalid().reply());
    }
    if (shield != null) {
      long now = clock.millis();
      TargetResult hit = shield.lookup(request.shieldKey(), now);
      if (hit != null) {
        links.linkShared(request, hit.bid());
        metrics.shieldHit(hit.bid().amount(), System.nanoTime() - start);
        return Future.succeededFuture(answer.accepted(request, hit, true, now));
      }
    }
    long sentAtMs = clock.millis();
    Deadline budget = in.deadline().minus(route.replyReserve());
    return fanOut.all(rendered.calls(), budget).map(outcomes -> conclude(request, rendered, outcomes, sentAtMs, start));
  }

  /**
   * The bid requests to send ({@code calls}, in target order) and, per target, why it is not sent
   * ({@code skipped[i]}, null when it is): a target whose configuration lacks a value is skipped.
   * {@code invalid}: a token the caller must give is missing or refused (then nothing is sent).
   */
  private record Prepared(List<FanOut.Call> calls, String[] skipped, PingInput.Invalid invalid) {}

  /** Each target's bid request; a token the caller must give is the caller's 422. */
  private Prepared render(PingRequest request) {
    List<FanOut.Call> calls = new ArrayList<>(templates.length);
    String[] skipped = new String[templates.length];
    for (int i = 0; i < templates.length; i++) {
      TargetConfig t = targets.get(i);
      Rendering r = templates[i].render(request.fields(), t.vars());
      if (r instanceof Rendering.Rejected rejected) {
        if (!rejected.configuration()) {
          return new Prepared(List.of(), skipped, PingInput.Invalid.of(rejected.token(), rejected.reason()));
        }
        skipped[i] = "not configured: " + rejected.message();
      } else {
        calls.add(new FanOut.Call(t.destination(), ((Rendering.Rendered) r).request()));
      }
    }
    return new Prepared(calls, skipped, null);
  }

  private Reply conclude(PingRequest request, Prepared rendered, List<Outcome> outcomes, long sentAtMs, long start) {
    List<TargetResult> results = new ArrayList<>(templates.length);
    int sent = 0;
    for (int i = 0; i < templates.length; i++) {
      String name = targets.get(i).name();
      String why = rendered.skipped()[i];
      results.add(why != null
          ? new TargetResult(i, name, TargetResult.Result.NOT_CONFIGURED, null, why, 0, 0)
          : TargetResult.read(i, name, outcomes.get(sent++), sentAtMs));
    }
    long now = clock.millis();
    Selection.Outcome outcome = selection.select(results, now);
    metrics.answered(outcome, System.nanoTime() - start);
    if (this.outcomes != PingOutcomes.NONE) {
      this.outcomes.write(route.name(), request.callUuid(), request.subdomain(), outcome.accepted(),
          PingAnswer.targetsJson(outcome, outcome.accepted() ? outcome.winner() : null));
    }
    if (!outcome.accepted()) {
      return answer.notAccepted(request, outcome);
    }
    TargetResult winner = outcome.winner();
    links.link(request, winner.bid());
    if (shield != null) {
      shield.remember(request.shieldKey(), winner, now);
    }
    return answer.accepted(request, winner, false, now);
  }
}
