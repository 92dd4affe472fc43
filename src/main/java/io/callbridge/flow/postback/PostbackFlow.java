package io.callbridge.flow.postback;

import io.callbridge.config.DestinationConfig;
import io.callbridge.config.PostbackSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.TargetConfig;
import io.callbridge.correlation.CallLinks;
import io.callbridge.correlation.IdKind;
import io.callbridge.ingress.Flow;
import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.outbox.DurableQueue;
import io.callbridge.outbox.Enqueued;
import io.callbridge.outbox.Envelope;
import io.callbridge.outbox.Outbox;
import io.callbridge.outbox.OutboxMetrics;
import io.callbridge.outbox.Schedule;
import io.callbridge.outbox.StoredRequest;
import io.callbridge.template.Rendering;
import io.callbridge.template.RequestTemplate;
import io.callbridge.template.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The postback route: validate, find the other side's id (the field, else correlation), render the
 * outbound request, and answer only after the outbox committed it — 202 new, 200 duplicate (the
 * first one's id and status), 409 conflict (stored, never sent), 503 when PostgreSQL could not
 * commit it in time (nothing acknowledged that was not stored).
 */
public final class PostbackFlow implements Flow {
  private static final Logger LOG = Logger.getLogger(PostbackFlow.class.getName());

  private final RouteConfig route;
  private final PostbackSettings settings;
  private final TargetConfig target;
  private final RequestTemplate template;
  private final DurableQueue outbox;
  private final OutboxMetrics metrics;
  private final CallMatcher matcher;
  private final Schedule schedule;
  private final DestinationConfig destination;

  /**
   * {@code destination}: the target's (its per-company hosts); {@code queue}: the durable delivery and
   * {@code metrics} its meters; {@code matcher}: how a call missing from the postback is found. The
   * gateway registers {@link #rematcher} so a replay of an unmatched row looks the call up again.
   */
  public PostbackFlow(RouteConfig route, Templates templates, DestinationConfig destination, DurableQueue queue,
      OutboxMetrics metrics, CallMatcher matcher) {
    this.route = route;
    this.settings = route.settingsAs(PostbackSettings.class);
    this.target = route.targets().get(0);
    this.template = templates.get(target.template());
    this.outbox = queue;
    this.metrics = metrics;
    this.matcher = matcher;
    this.schedule = new Schedule(settings.retrySchedule(), settings.jitter());
    this.destination = destination;
  }

  /** A missing call id looked up through correlation's {@code links}. */
  public static CallMatcher matcher(CallLinks links) {
    return new CorrelationMatcher(links);
  }

  /**
   * Re-finds an unmatched row's call from its stored fields (replay); empty while still unknown. A
   * row whose fields no longer pass (a subdomain no longer allowed) fails with the field and reason.
   */
  public Outbox.Rematcher rematcher() {
    return fields -> matchAndRender(fields).compose(m -> {
      if (m instanceof Refusal no) {
        return Future.failedFuture(new IllegalArgumentException(no.field() + ": " + no.message()));
      }
      Rendered r = (Rendered) m;
      if (r.request().isEmpty() || missingKeyPart(r).isPresent()) {
        return Future.succeededFuture(Optional.empty());
      }
      return Future.succeededFuture(Optional.of(new Outbox.Rematched(r.callId().orElseThrow(), r.request().get(),
          settings.oncePerCall(), matchedKey(r))));
    });
  }

  /** Matching and rendering a postback ends in what to store, or in a refusal of one field (422). */
  private sealed interface Matched permits Rendered, Refusal {}

  /** What to store, or why the row is held (dead, unmatched). */
  private record Rendered(Optional<String> callId, Optional<StoredRequest> request, Map<String, Object> fields,
      Optional<Envelope.Hold> hold) implements Matched {}

  /** The sender's mistake in {@code field}: answered 422, nothing stored. */
  private record Refusal(String field, String message) implements Matched {}

  @Override
  public Future<Reply> handle(Inbound inbound) {
    Optional<Refusal> invalid = validate(inbound);
    if (invalid.isPresent()) {
      return Future.succeededFuture(refuse(invalid.get()));
    }
    return matchAndRender(inbound.fields())
        .compose(m -> {
          if (m instanceof Refusal no) {
            return Future.succeededFuture(refuse(no));
          }
          Rendered r = (Rendered) m;
          Optional<Refusal> keyless = missingKeyPart(r);
          if (keyless.isPresent()) {
            return Future.succeededFuture(refuse(keyless.get()));
          }
          return outbox.enqueue(envelope(inbound, r), inbound.deadline().minus(route.replyReserve())).map(this::reply);
        })
        .recover(err -> {
          metrics.rejected(route.name(), "unavailable");
          logUnavailable(err);
          return Future.succeededFuture(Reply.notStored("postback"));
        });
  }

  private Reply refuse(Refusal no) {
    metrics.rejected(route.name(), "invalid");
    return Reply.error(422, no.message(), no.field());
  }

  private final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong unlogged = new java.util.concurrent.atomic.AtomicLong();

  /** One line per second at most while PostgreSQL is away, with the count since the last line. */
  private void logUnavailable(Throwable err) {
    long now = System.currentTimeMillis();
    long last = lastWarning.get();
    if (now - last >= 1000 && lastWarning.compareAndSet(last, now)) {
      long more = unlogged.getAndSet(0);
      LOG.warning("route " + route.name() + ": postback not stored (" + err.getMessage() + "); answered 503"
          + (more > 0 ? " (and " + more + " more since the last warning)" : ""));
    } else {
      unlogged.incrementAndGet();
    }
  }

  private Optional<Refusal> validate(Inbound inbound) {
    Optional<Reply> missing = inbound.missingRequired(route.required());
    if (missing.isPresent()) {
      return Optional.of(new Refusal(missing.get().body().getString("field"), missing.get().body().getString("error")));
    }
    for (String f : settings.amountFields()) {
      Optional<String> v = inbound.text(f);
      if (v.isEmpty()) {
        continue;
      }
      BigDecimal amount;
      try {
        amount = new BigDecimal(v.get().replace("$", ""));
      } catch (NumberFormatException e) {
        return Optional.of(new Refusal(f, "not an amount: '" + v.get() + "'"));
      }
      if (amount.signum() < 0) {
        return Optional.of(new Refusal(f, "must not be negative, got '" + v.get() + "'"));
      }
    }
    if (settings.matchBy().isEmpty() && inbound.unresolved().containsKey(settings.callIdField())) {
      // No other way to find the call: an unfilled token in its id field is the sender's mistake, said now.
      Optional<Reply> unfilled = inbound.missingRequired(List.of(settings.callIdField()));
      if (unfilled.isPresent()) {
        return Optional.of(new Refusal(settings.callIdField(), unfilled.get().body().getString("error")));
      }
    }
    if (inbound.text(settings.callIdField()).map(String::length).orElse(0) > 200) {
      return Optional.of(new Refusal(settings.callIdField(), "longer than 200 characters"));
    }
    return Optional.empty();
  }

  /** A matched postback whose idempotency key lacks a part cannot be deduplicated: refused. */
  private Optional<Refusal> missingKeyPart(Rendered r) {
    if (r.callId().isEmpty()) {
      return Optional.empty();
    }
    return settings.idempotencyKey().stream().filter(f -> Inbound.text(r.fields(), f).isEmpty()).findFirst()
        .map(f -> new Refusal(f, "is required (part of the idempotency key)"));
  }

  /** The other side's id from the field, else through correlation; then the outbound request. */
  private Future<Matched> matchAndRender(Map<String, Object> inboundFields) {
    Optional<String> direct = Inbound.text(inboundFields, settings.callIdField());
    if (direct.isPresent() || settings.matchBy().isEmpty()) {
      return Future.succeededFuture(render(inboundFields));
    }
    return matcher.match(route, inboundFields)
        .recover(err -> Future.succeededFuture(CallMatcher.Match.NONE))
        .map(m -> {
          if (m.ambiguous().isPresent()) {
            // Several calls are plausible: held for a person (or a later match), never credited to a guess.
            Map<String, Object> f = new HashMap<>(inboundFields);
            f.put("converted", settings.conversion().converts(inboundFields) ? "true" : "false");
            return new Rendered(Optional.empty(), Optional.empty(), f,
                Optional.of(new Envelope.Hold("unmatched", m.ambiguous().get(), waitsFor(inboundFields))));
          }
          Map<String, Object> merged = new HashMap<>(inboundFields);
          m.fields().forEach(merged::putIfAbsent);
          return render(merged);
        });
  }

  /** The ids (correlation's {@code kind:value} keys) an unmatched postback waits for: its matchBy fields. */
  private List<String> waitsFor(Map<String, Object> fields) {
    List<String> keys = new java.util.ArrayList<>();
    for (String entry : settings.matchBy()) {
      int eq = entry.indexOf('=');
      String field = eq < 0 ? entry : entry.substring(0, eq);
      IdKind kind = CorrelationMatcher.kind(eq < 0 ? entry : entry.substring(eq + 1));
      Inbound.text(fields, field).map(kind::key).ifPresent(keys::add);
    }
    return List.copyOf(keys);
  }

  /** The other side's id known (or not): the request to store, why it is held, or a refusal. */
  private Matched render(Map<String, Object> given) {
    Map<String, Object> f = new HashMap<>(given);
    // The verdict of the route's conversion rule is the [converted] token (never a default).
    f.put("converted", settings.conversion().converts(given) ? "true" : "false");
    Optional<String> callId = Inbound.text(f, settings.callIdField());
    if (callId.isEmpty()) {
      List<String> keys = waitsFor(given);
      return new Rendered(Optional.empty(), Optional.empty(), f, Optional.of(new Envelope.Hold("unmatched",
          keys.isEmpty() ? "no " + settings.callIdField() + " and nothing to find the call by (matchBy " + settings.matchBy()
              + "): give the sender's " + settings.callIdField() + ", or replay it once the call is known"
              : "the call is not known yet (" + String.join(", ", keys) + "): this postback looks it up again when "
              + "a link for it is written and on a back-off for outbox.rematchWindow", keys)));
    }
    Optional<String> host = Optional.empty();
    if (destination != null && destination.callHost().isPresent()) {
      Optional<String> sub = Inbound.text(f, settings.subdomainField());
      if (sub.isEmpty() && destination.subdomains().size() == 1) {
        sub = Optional.of(destination.subdomains().get(0));
      }
      if (sub.isEmpty()) {
        return new Rendered(callId, Optional.empty(), f, Optional.of(new Envelope.Hold("unmatched",
            settings.subdomainField() + ": the call's TrackDrive subdomain is not known (not in the postback, not "
                + "through correlation) and destination '" + target.destination() + "' allows several: "
                + destination.subdomains())));
      }
      host = destination.hostFor(sub.get());
      if (host.isEmpty()) {
        if (given.containsKey(settings.subdomainField())) {
          return new Refusal(settings.subdomainField(), "'" + sub.get() + "' is not one of the TrackDrive subdomains "
              + "destination '" + target.destination() + "' allows " + destination.subdomains()
              + " (destinations." + target.destination() + ".subdomains)");
        }
        return new Rendered(callId, Optional.empty(), f, Optional.of(new Envelope.Hold("unmatched",
            "the call's TrackDrive subdomain '" + sub.get() + "' (from correlation) is not one destination '"
                + target.destination() + "' allows " + destination.subdomains())));
      }
    }
    Rendering rendering = template.render(f, target.vars());
    if (rendering instanceof Rendering.Rejected rejected) {
      if (rejected.configuration()) {
        // The operator's problem, not the caller's: keep the postback (dead, with the reason) for replay.
        return new Rendered(callId, Optional.empty(), f, Optional.of(new Envelope.Hold("dead", "template "
            + rejected.template() + ": " + rejected.message() + " (configuration: fix it, then replay)")));
      }
      return new Refusal(rejected.token(), rejected.reason());
    }
    StoredRequest request = StoredRequest.of(target.destination(), ((Rendering.Rendered) rendering).request());
    if (host.isPresent()) {
      request = request.withHost(host.get());
    }
    return new Rendered(callId, Optional.of(request), f, Optional.empty());
  }

  /**
   * The key of a postback whose call is known: the event kind and the key fields. A copy matched at
   * ingest and an unmatched original matched later get the same key, so they are one postback.
   */
  private String matchedKey(Rendered r) {
    StringBuilder k = new StringBuilder(settings.eventKind());
    for (String f : settings.idempotencyKey()) {
      k.append('|').append(Inbound.text(r.fields(), f).orElseThrow()); // checked by missingKeyPart
    }
    return k.toString();
  }

  private Envelope envelope(Inbound inbound, Rendered r) {
    Envelope.Raw raw = Envelope.Raw.of(inbound.method(), inbound.rawQuery(), inbound.rawBody().getBytes(),
        inbound.fields(), inbound.requestId());
    String key;
    if (r.callId().isPresent()) {
      key = matchedKey(r);
    } else {
      // No call to key on: identical copies of the same request still dedupe.
      key = settings.eventKind() + "|unmatched|" + raw.digest();
    }
    Envelope e = new Envelope("postback", route.name(), key, settings.eventKind(), r.callId(),
        settings.oncePerCall(), target.destination(), r.request(), schedule, settings.settleWindow(), raw,
        r.hold(), Optional.empty());
    if (r.hold().isEmpty() && r.request().isPresent() && settings.oncePerCall()
        && !settings.conversion().converts(inbound.fields())) {
      // The destination takes one conversion per call and converts on any request (even $0): an event
      // that is no conversion is kept for audit under its own key, never sent, and never uses it up.
      String why = settings.conversion().whyNot(inbound.fields());
      return new Envelope("postback", route.name(), key + "#not-converted:" + raw.digest(),
          settings.eventKind(), r.callId(), false, target.destination(), r.request(), schedule, Duration.ZERO, raw,
          Optional.empty(), Optional.empty()).withSkip("not a conversion (" + why + "): not sent, so the call's "
              + "one conversion stays free for the real one");
    }
    return e;
  }

  private Reply reply(Enqueued e) {
    JsonObject body = new JsonObject().put("id", e.id()).put("status", e.status());
    switch (e.result()) {
      case CREATED -> {
        metrics.accepted(route.name(), e.status().equals("pending") ? "accepted" : e.status());
        if (e.status().equals("dead")) {
          body.put("error", "stored, but not deliverable until the route's configuration is fixed; then replay it");
        } else if (e.status().equals("skipped")) {
          body.put("reason", "not a conversion under the route's rule (amount above "
              + settings.conversion().above().toPlainString() + " in '" + settings.conversion().amountField()
              + "'): stored, not sent; the call's one conversion stays free");
        }
        return Reply.json(202, body);
      }
      case CORRECTION -> {
        metrics.accepted(route.name(), "correction");
        return Reply.json(202, body.put("correction", true).put("corrects", e.original().orElse(null)));
      }
      case SUPERSEDED -> {
        metrics.accepted(route.name(), "superseded");
        return Reply.json(202, body.put("superseded", true));
      }
      case DUPLICATE -> {
        metrics.duplicate(route.name());
        return Reply.json(200, body.put("duplicate", true));
      }
      default -> {
        metrics.accepted(route.name(), "conflict");
        return Reply.json(409, body.put("original", e.original().orElse(null)).put("error",
            "this call already has a different conversion (postback " + e.original().orElse(null)
                + "); the destination accepts one per call, so this one is stored as a conflict and not sent"));
      }
    }
  }
}
