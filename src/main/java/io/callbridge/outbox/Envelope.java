package io.callbridge.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a flow hands the outbox to deliver durably. {@code route} + {@code idempotencyKey} is unique:
 * a second envelope with the same pair is a duplicate of the first. With {@code oncePerCall}, the
 * destination accepts one request per {@code callId} (Ringba's conversion webhook): a later envelope
 * for that call with a different request is stored as {@code conflict} and never sent.
 * {@code request} empty means the flow could not find the other side's id: the row is stored as
 * {@code unmatched} (visible, replayable) with {@code destination} remembered. A {@code problem}
 * (the request could not be rendered because of configuration) stores the row as {@code dead} with
 * that error: kept, visible, and replayed (re-rendered) once configuration is fixed. A {@code hold}
 * stores the row in that status with its reason instead of {@code pending}: {@code dead} for such a
 * problem, {@code skipped} for an event that must not be sent (a non-conversion to a once-per-call
 * destination: sending it would use up the call's one conversion). {@code staleAt}: past this
 * instant the request is no longer safe to send (a TrackDrive lead attaches to the caller's *next*
 * call) and the row goes {@code dead} with reason {@code stale} instead.
 */
public record Envelope(
    String flow,
    String route,
    String idempotencyKey,
    String eventKind,
    Optional<String> callId,
    boolean oncePerCall,
    String destination,
    Optional<StoredRequest> request,
    Schedule schedule,
    Duration settleWindow,
    Raw raw,
    Optional<Hold> hold,
    Optional<java.time.Instant> staleAt) {

  /** A row stored as {@code status} (not pending) for {@code reason}. */
  /** Why a row is not sent: its status and reason; {@code matchKeys}: the ids an unmatched row waits for. */
  public record Hold(String status, String reason, java.util.List<String> matchKeys) {
    public Hold(String status, String reason) {
      this(status, reason, java.util.List.of());
    }
  }

  /** The inbound request exactly as received, kept with the row for audit and replay. */
  public record Raw(String method, String query, byte[] body, Map<String, Object> fields, String requestId) {
    /** The request as received; the auth token is taken out of the query string. */
    public static Raw of(String method, String rawQuery, byte[] body, Map<String, Object> fields, String requestId) {
      return new Raw(method, withoutToken(rawQuery), body, fields, requestId);
    }

    /** A digest of the request as received (query, a 0 byte, body): what keys a postback with no call to key on. */
    public String digest() {
      return Digests.sha256(query.getBytes(java.nio.charset.StandardCharsets.UTF_8), Digests.SEPARATOR, body);
    }

    /** The route's auth token may ride in the query string: it is never stored. */
    static String withoutToken(String query) {
      if (query == null || query.isEmpty()) {
        return "";
      }
      return java.util.Arrays.stream(query.split("&"))
          .filter(p -> !(p.equals("token") || p.startsWith("token=")))
          .collect(java.util.stream.Collectors.joining("&"));
    }
  }

  /** An envelope to deliver {@code request} once, on {@code schedule}, keyed by {@code idempotencyKey}. */
  public static Envelope of(String flow, String route, Raw raw, String idempotencyKey, StoredRequest request,
      Schedule schedule) {
    return new Envelope(flow, route, idempotencyKey, flow, Optional.empty(), false,
        request.destination(), Optional.of(request), schedule, Duration.ZERO, raw, Optional.empty(),
        Optional.empty());
  }

  public Envelope withEventKind(String kind) {
    return new Envelope(flow, route, idempotencyKey, kind, callId, oncePerCall, destination, request, schedule,
        settleWindow, raw, hold, staleAt);
  }

  public Envelope withCallId(String id, boolean once) {
    return new Envelope(flow, route, idempotencyKey, eventKind, Optional.of(id), once, destination, request, schedule,
        settleWindow, raw, hold, staleAt);
  }

  public Envelope withSettleWindow(Duration settle) {
    return new Envelope(flow, route, idempotencyKey, eventKind, callId, oncePerCall, destination, request, schedule,
        settle, raw, hold, staleAt);
  }

  /** Stored {@code dead} with {@code error}, nothing rendered: replay re-renders it. */
  public Envelope withProblem(String error) {
    return new Envelope(flow, route, idempotencyKey, eventKind, callId, oncePerCall, destination, Optional.empty(),
        schedule, settleWindow, raw, Optional.of(new Hold("dead", error)), staleAt);
  }

  /** Stored {@code skipped} with {@code reason}: kept for audit, never sent, not the call's once-only request. */
  public Envelope withSkip(String reason) {
    return new Envelope(flow, route, idempotencyKey, eventKind, callId, false, destination, request, schedule,
        settleWindow, raw, Optional.of(new Hold("skipped", reason)), staleAt);
  }

  /** Never sent after {@code at}: the row goes dead with reason stale. */
  public Envelope withStaleAt(java.time.Instant at) {
    return new Envelope(flow, route, idempotencyKey, eventKind, callId, oncePerCall, destination, request, schedule,
        settleWindow, raw, hold, Optional.of(at));
  }

  Optional<String> onceKey() {
    return oncePerCall && callId.isPresent() && request.isPresent()
        ? Optional.of(destination + ":" + callId.get()) : Optional.empty();
  }
}
