package io.callbridge.outbox;

import io.callbridge.deadline.Deadline;
import io.callbridge.upstream.Outcome;
import io.callbridge.upstream.UpstreamClient;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The outbox's way out: the outbound core (per-destination client and breaker, no redirects, the
 * answer read up to the destination's cap), each attempt bounded by the destination's request
 * timeout. Maps its outcomes onto what the delivery rules need: was anything sent, what came back.
 */
final class UpstreamSender implements Sender {
  private final UpstreamClient upstream;
  private final Clock clock;

  UpstreamSender(UpstreamClient upstream, Clock clock) {
    this.upstream = upstream;
    this.clock = clock;
  }

  @Override
  public Future<Result> send(StoredRequest request, Duration timeout) {
    return upstream.send(request.destination(), request.outbound(), Deadline.in(timeout, clock))
        .map(UpstreamSender::result)
        .recover(err -> Future.succeededFuture(Result.failure(Kind.RESET, String.valueOf(err.getMessage()))));
  }

  static Result result(Outcome outcome) {
    if (outcome instanceof Outcome.Ok ok) {
      return Result.http(ok.status(), Optional.empty(), Optional.empty(), text(ok.body()));
    }
    if (outcome instanceof Outcome.HttpError e) {
      return Result.http(e.status(), e.retryAfter(),
          Optional.ofNullable(e.headers() == null ? null : e.headers().get("Location")), text(e.body()));
    }
    if (outcome instanceof Outcome.Timeout t) {
      return t.sent() ? Result.failure(Kind.TIMEOUT, "no answer within " + t.latency().toMillis() + "ms")
          : Result.failure(Kind.REFUSED, "not connected in time");
    }
    if (outcome instanceof Outcome.NoConnection n) {
      // Our own back-pressure: deferred, never an attempt, never the destination's failure.
      return Result.failure(Kind.NOT_SENT, n.detail());
    }
    if (outcome instanceof Outcome.Refused r) {
      return Result.failure(Kind.REFUSED, r.detail());
    }
    if (outcome instanceof Outcome.Cancelled c) {
      return c.sent() ? Result.failure(Kind.RESET, "cancelled after send") : Result.failure(Kind.NOT_SENT, "cancelled");
    }
    if (outcome instanceof Outcome.InvalidResponse i) {
      if (i.status() >= 200 && i.status() < 300) {
        // A 2xx whose body went past the cap: the destination took it; its answer is not needed.
        return Result.http(i.status(), Optional.empty(), Optional.empty(), "(answer not read: " + i.detail() + ")");
      }
      if (!i.sent()) {
        return Result.failure(Kind.REFUSED, i.detail());
      }
      return i.status() == 0 ? Result.failure(Kind.RESET, i.detail())
          : Result.failure(Kind.INVALID_RESPONSE, "HTTP " + i.status() + ": " + i.detail());
    }
    // Breaker open, no budget: nothing was sent.
    return Result.failure(Kind.NOT_SENT, outcome.kind().label());
  }

  private static String text(io.vertx.core.buffer.Buffer b) {
    return b == null ? "" : b.toString(StandardCharsets.UTF_8);
  }
}
