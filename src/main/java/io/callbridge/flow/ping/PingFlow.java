package io.callbridge.flow.ping;

import io.callbridge.Services;
import io.callbridge.config.PingSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.upstream.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ping/post flow: TrackDrive's PING buyer asks, every RTB target of the route is pinged at
 * once inside the deadline, the best live bid is answered (HTTP 200 either way), linked to the
 * call behind the answer, and kept in the ping shield for identical pings while it lives.
 */
public final class PingFlow implements Flow {
  private static final Logger LOG = Logger.getLogger(PingFlow.class.getName());

  private final RouteConfig route;
  private final PingInput input;
  private final RtbTransport transport;
  private final Selection selection;
  private final PingAnswer answer;
  private final PingShield shield;
  private final PingMetrics metrics;
  private final BidLinks links;
  private final Clock clock;
  private final String[] targetNames;

  PingFlow(RouteConfig route, PingInput input, RtbTransport transport, PingShield shield, PingMetrics metrics,
      BidLinks links, Clock clock) {
    PingSettings s = route.settingsAs(PingSettings.class);
    this.route = route;
    this.input = input;
    this.transport = transport;
    this.selection = new Selection(s.floor(), s.minTransferSeconds());
    this.answer = new PingAnswer(s);
    this.shield = shield;
    this.metrics = metrics;
    this.links = links;
    this.clock = clock;
    this.targetNames = route.targets().stream().map(TargetConfig::name).toArray(String[]::new);
  }

  /** The flow of one ping route, built from the gateway's services. */
  public static PingFlow create(RouteConfig route, Services services) {
    PingSettings s = route.settingsAs(PingSettings.class);
    List<String> targets = route.targets().stream().map(TargetConfig::name).toList();
    PingInput input = new PingInput(route.name(), route.required(), s.shieldIgnore(), services.config().phoneRegion());
    RtbTransport transport = new StandInTransport(services.vertx(), route.targets(), services.config().destinations());
    PingShield shield = s.shield() ? new PingShield(s.shieldMaxEntries(), s.minTransferSeconds(), services.clock()) : null;
    return new PingFlow(route, input, transport, shield, new PingMetrics(services.metrics(), route.name(), targets),
        BidLinks.NONE, services.clock());
  }

  @Override
  public Future<Reply> handle(Inbound in) {
    long start = System.nanoTime();
    PingRequest request;
    try {
      request = input.parse(in);
    } catch (PingInput.Invalid e) {
      metrics.invalidInput();
      return Future.succeededFuture(e.reply);
    }
    if (shield != null) {
      long now = clock.millis();
      TargetResult hit = shield.lookup(request.shieldKey(), now);
      if (hit != null) {
        links.link(request, hit.bid());
        metrics.shieldHit(hit.bid().amount(), System.nanoTime() - start);
        return Future.succeededFuture(Reply.json(200, answer.accepted(hit, true, now)));
      }
    }
    Deadline budget = in.deadline().minus(route.replyReserve());
    int n = targetNames.length;
    TargetResult[] results = new TargetResult[n];
    List<Future<TargetResult>> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      pending.add(send(index, request, budget).map(ex -> {
        TargetResult r = TargetResult.read(index, targetNames[index], ex, clock.millis(), System.nanoTime());
        results[index] = r;
        return r;
      }));
    }
    Promise<Reply> reply = Promise.promise();
    // Every per-target future completes by the budget (the transport resets what is still running).
    Future.join(pending).onComplete(ar -> reply.complete(conclude(request, Arrays.asList(results), start)));
    return reply.future();
  }

  private Future<Exchange> send(int index, PingRequest request, Deadline budget) {
    try {
      return transport.send(index, request, budget)
          .otherwise(e -> Exchange.failed(Exchange.Kind.INVALID_RESPONSE, 0, 0));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ping target " + targetNames[index] + " could not be sent", e);
      return Future.succeededFuture(Exchange.failed(Exchange.Kind.INVALID_RESPONSE, 0, 0));
    }
  }

  private Reply conclude(PingRequest request, List<TargetResult> results, long start) {
    long now = clock.millis();
    Selection.Outcome outcome = selection.select(results, now);
    metrics.answered(outcome, System.nanoTime() - start);
    if (!outcome.accepted()) {
      return Reply.json(200, answer.notAccepted(outcome));
    }
    TargetResult winner = outcome.winner();
    links.link(request, winner.bid());
    if (shield != null) {
      shield.remember(request.shieldKey(), winner, now);
    }
    return Reply.json(200, answer.accepted(winner, false, now));
  }
}
