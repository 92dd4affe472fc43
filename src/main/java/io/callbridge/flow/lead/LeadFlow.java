package io.callbridge.flow.lead;

import io.callbridge.config.DestinationConfig;
import io.callbridge.config.LeadSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.CallLinks;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.outbox.Enqueued;
import io.callbridge.outbox.DurableQueue;
import io.callbridge.outbox.Envelope;
import io.callbridge.outbox.Outbox;
import io.callbridge.outbox.Schedule;
import io.callbridge.outbox.StoredRequest;
import io.callbridge.metrics.Metrics;
import io.callbridge.template.Templates;
import io.callbridge.template.Phones;
import io.callbridge.template.Rendering;
import io.callbridge.template.RequestTemplate;
import io.callbridge.upstream.OutboundRequest;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Ringba → TrackDrive: a Ringba pixel (Incoming or Connected) becomes a TrackDrive lead posted with
 * the route's posting instructions exactly as TrackDrive generated them (lead token, traffic source
 * id, endpoint URL). Durable like a postback: answered only after PostgreSQL committed it, delivered
 * at once and retried on failure; a repeated pixel for the same {@code inboundCallId} posts nothing
 * twice; a TrackDrive 422 (wrong token) is dead with TrackDrive's reason, visible in admin.
 */
public final class LeadFlow implements Flow {
  private static final Logger LOG = Logger.getLogger(LeadFlow.class.getName());
  static final String CALLER_ID = "caller_id";
  static final String INBOUND_CALL_ID = "inbound_call_id";

  private final RouteConfig route;
  private final TargetConfig target;
  private final RequestTemplate template;
  private final Map<String, Object> postingInstructions;
  private final String endpoint;
  private final String host;
  private final Schedule schedule;
  private final java.time.Duration freshness;
  private final Phones phones;
  private final DurableQueue outbox;
  private final CallLinks correlation;
  private final LeadMetrics metrics;

  /**
   * {@code destination}: the target's (its per-company hosts); {@code queue}: the durable delivery;
   * {@code links}: where the Ringba call, the caller and TrackDrive's lead id are linked. The gateway
   * tells {@link #delivered} about each lead TrackDrive took.
   */
  public LeadFlow(RouteConfig route, Templates templates, DestinationConfig destination, DurableQueue queue,
      CallLinks links, Metrics metrics) {
    LeadSettings settings = route.settingsAs(LeadSettings.class);
    this.route = route;
    this.target = route.targets().get(0);
    this.template = templates.get(target.template());
    this.postingInstructions = Map.of("lead_token", settings.leadToken().value(),
        "traffic_source_id", settings.trafficSourceId());
    URI ep = URI.create(settings.endpointUrl());
    this.endpoint = ep.getRawPath() + (ep.getRawQuery() == null ? "" : "?" + ep.getRawQuery());
    // On a destination whose host is per company, the posting instructions' host names the company.
    DestinationConfig d = destination;
    this.host = d != null && ep.getHost() != null && d.allowsHost(ep.getHost()) ? ep.getHost().toLowerCase() : null;
    this.schedule = new Schedule(settings.retrySchedule(), 0.2);
    this.freshness = settings.freshness();
    this.phones = templates.phones();
    this.outbox = queue;
    this.correlation = links;
    this.metrics = new LeadMetrics(metrics, route.name());
  }

  @Override
  public Future<Reply> handle(Inbound inbound) {
    Optional<Reply> missing = inbound.missingRequired(route.required());
    if (missing.isPresent()) {
      metrics.result("invalid");
      return Future.succeededFuture(missing.get());
    }
    String raw = inbound.text(CALLER_ID).orElse("");
    Optional<String> callerId = phones.format(raw, Phones.Format.E164);
    if (callerId.isEmpty()) {
      metrics.result("invalid");
      return Future.succeededFuture(Reply.error(422, CALLER_ID + ": not a phone number: '" + raw + "'", CALLER_ID));
    }
    String inboundCallId = inbound.text(INBOUND_CALL_ID).orElse("");
    if (inboundCallId.length() > 200) {
      metrics.result("invalid");
      return Future.succeededFuture(Reply.error(422, INBOUND_CALL_ID + ": longer than 200 characters", INBOUND_CALL_ID));
    }
    Rendering rendering = template.render(inbound.fields(), target.vars(), postingInstructions);
    if (rendering instanceof Rendering.Rejected rejected) {
      metrics.result("invalid");
      return Future.succeededFuture(rejected.configuration()
          ? Reply.error(500, "route '" + route.name() + "': " + rejected.message() + " (fix the configuration)")
          : Reply.error(422, rejected.message(), rejected.token()));
    }
    OutboundRequest rendered = ((Rendering.Rendered) rendering).request();
    // The endpoint URL is used exactly as TrackDrive gave it (its host is the destination's, checked at load).
    OutboundRequest exact = new OutboundRequest(rendered.method(), endpoint, rendered.headers(), rendered.body(),
        rendered.contentType());
    correlation.link(route.name(), CallLink.builder().inboundCallId(inboundCallId).callerId(callerId.get()).build());
    StoredRequest stored = StoredRequest.of(target.destination(), exact);
    Envelope.Raw received = Envelope.Raw.of(inbound.method(), inbound.rawQuery(), inbound.rawBody().getBytes(),
        inbound.fields(), inbound.requestId());
    Envelope envelope = Envelope.of("lead", route.name(), received, "lead|" + inboundCallId,
        host == null ? stored : stored.withHost(host), schedule).withEventKind("lead").withCallId(inboundCallId, false)
        .withStaleAt(inbound.receivedAt().plus(freshness));
    return outbox.enqueue(envelope, inbound.deadline().minus(route.replyReserve()))
        .map(this::reply)
        .recover(err -> {
          metrics.result("unavailable");
          LOG.warning("route " + route.name() + ": lead for " + inboundCallId + " not stored (" + err.getMessage()
              + "); answered 503");
          return Future.succeededFuture(Reply.notStored("lead"));
        });
  }

  private Reply reply(Enqueued e) {
    JsonObject body = new JsonObject().put("id", e.id()).put("status", e.status());
    if (e.result() == Enqueued.Result.CREATED) {
      metrics.result("accepted");
      return Reply.json(202, body);
    }
    metrics.result("duplicate");
    return Reply.json(200, body.put("duplicate", true));
  }

  /** TrackDrive answered 2xx: link the lead id it assigned to the Ringba call. */
  public void delivered(Outbox.Delivered d) {
    String leadId = leadId(d.response());
    if (leadId == null) {
      return;
    }
    // The row's call id is the Ringba inboundCallId the lead was posted for.
    correlation.link(route.name(), CallLink.builder().leadId(leadId).inboundCallId(d.callId()).build());
  }

  /** TrackDrive's lead answer: {"status":"success","lead":{"id":…,"uuid":…}}; the id, else the uuid. */
  static String leadId(String response) {
    if (response == null || response.isBlank()) {
      return null;
    }
    try {
      JsonObject lead = new JsonObject(response).getJsonObject("lead");
      if (lead == null) {
        return null;
      }
      Object id = lead.getValue("id");
      if (id == null) {
        id = lead.getValue("uuid");
      }
      return id == null ? null : String.valueOf(id);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
