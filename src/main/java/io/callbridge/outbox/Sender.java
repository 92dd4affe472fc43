package io.callbridge.outbox;

import io.callbridge.upstream.Outcome;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * How the outbox reaches a destination: one request, bounded by {@code timeout}, never following
 * redirects. The future never fails: every way a request can go is a {@link Result}. The adapter
 * over the outbound core (per-destination clients and breakers) is the one class to swap.
 */
@FunctionalInterface
public interface Sender {
  Future<Result> send(StoredRequest request, Duration timeout);

  /**
   * How an attempt went, as the delivery rules need it (was anything sent; may it have been
   * processed). Where it is the outbound core's outcome, it has that outcome's word
   * ({@link Outcome.Kind}); the rest are the outbox's own. The word is the attempt's {@code kind}.
   */
  enum Kind {
    /** An HTTP answer arrived (any status). */
    HTTP,
    /** No answer within the timeout after the request was written: it may have been processed. */
    TIMEOUT(Outcome.Kind.TIMEOUT),
    /** The connection failed before the request was written: nothing reached the destination. */
    REFUSED(Outcome.Kind.REFUSED),
    /** The connection broke after the request was written: it may have been processed. */
    RESET,
    /** The destination's breaker is open, or no budget: no request was made. */
    NOT_SENT,
    /** Something arrived that is not HTTP. */
    INVALID_RESPONSE(Outcome.Kind.INVALID_RESPONSE),
    /** A 2xx whose body says no (TrackDrive's {@code "status":"error"} / {@code "success":false}). */
    REFUSED_IN_BODY,
    /** Not sent: the row is past its freshness window. */
    STALE;

    final String word;

    Kind() {
      this.word = name().toLowerCase(java.util.Locale.ROOT);
    }

    Kind(Outcome.Kind outcome) {
      this.word = outcome.label();
    }
  }

  /** The outcome of one request; {@code body} is the answer's first bytes (capped). */
  record Result(Kind kind, int status, Optional<Duration> retryAfter, Optional<String> location, String error,
      String body) {

    public static Result http(int status, Optional<Duration> retryAfter, Optional<String> location, String body) {
      return new Result(Kind.HTTP, status, retryAfter, location, null, body);
    }

    /** A 2xx answer that refused the request in its body, with the destination's own words. */
    public static Result refusedInBody(int status, String why, String body) {
      return new Result(Kind.REFUSED_IN_BODY, status, Optional.empty(), Optional.empty(), why, body);
    }

    public static Result stale(long pastMs) {
      return failure(Kind.STALE, "stale: not sent, " + java.time.Duration.ofMillis(pastMs).toSeconds()
          + "s past the row's freshness window (a late TrackDrive lead can attach to the caller's next call)");
    }

    public static Result failure(Kind kind, String error) {
      return new Result(kind, 0, Optional.empty(), Optional.empty(), error, null);
    }

    /** Whether the destination may have processed the request although we do not know its answer. */
    public boolean ambiguous() {
      return kind == Kind.TIMEOUT || kind == Kind.RESET || kind == Kind.INVALID_RESPONSE;
    }

    public String kindName() {
      return kind == Kind.HTTP ? "http_" + status : kind.word;
    }
  }
}
