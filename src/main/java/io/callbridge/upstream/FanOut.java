package io.callbridge.upstream;

import io.callbridge.deadline.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Sends to N targets at once and answers one {@link Outcome} per call, in call order. Never fails
 * as a whole: a slow or failed target is an outcome. The caller chooses when it is done: every call
 * settled ({@link #all}), or an early condition ({@link #until}).
 */
public final class FanOut {
  /** One target of a fan-out. */
  public record Call(String destination, OutboundRequest request) {}

  private final UpstreamClient client;

  public FanOut(UpstreamClient client) {
    this.client = client;
  }

  /** Completes when every call has its outcome (at the latest when {@code deadline} ends). */
  public Future<List<Outcome>> all(List<Call> calls, Deadline deadline) {
    return until(calls, deadline, ALL);
  }

  /** Never enough before every call has settled (and never asked: no snapshot is made for it). */
  private static final Predicate<List<Optional<Outcome>>> ALL = settled -> false;

  /**
   * Completes as soon as {@code enough} holds for the outcomes so far (empty = not settled yet;
   * tested after each settles), or when all have settled. Calls still running then are reset and
   * reported as {@link Outcome.Cancelled}.
   */
  public Future<List<Outcome>> until(List<Call> calls, Deadline deadline, Predicate<List<Optional<Outcome>>> enough) {
    if (calls.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    State state = new State(calls.size(), enough);
    for (int i = 0; i < calls.size(); i++) {
      int index = i;
      Call call = calls.get(i);
      Future<Outcome> f;
      try {
        f = client.send(call.destination(), call.request(), deadline, state.cancel.future());
      } catch (RuntimeException e) {
        f = Future.succeededFuture(new Outcome.Refused("not sent: " + e.getMessage(), 0, Duration.ZERO));
      }
      f.onComplete(ar -> state.settle(index, ar.succeeded() ? ar.result()
          : new Outcome.InvalidResponse("unexpected failure: " + ar.cause(), 0, true, Duration.ZERO)));
    }
    return state.done.future();
  }

  private static final class State {
    final Outcome[] outcomes;
    final Predicate<List<Optional<Outcome>>> enough;
    final Promise<List<Outcome>> done = Promise.promise();
    final Promise<Void> cancel = Promise.promise();
    final long started = System.nanoTime();
    int settled;
    boolean finished;

    State(int n, Predicate<List<Optional<Outcome>>> enough) {
      this.outcomes = new Outcome[n];
      this.enough = enough;
    }

    void settle(int index, Outcome o) {
      List<Outcome> result = null;
      boolean early = false;
      // Settles normally arrive on one event loop; the lock only guards callers outside a context.
      synchronized (this) {
        if (finished) {
          return;
        }
        outcomes[index] = o;
        settled++;
        if (settled == outcomes.length) {
          finished = true;
          result = List.of(outcomes);
        } else if (enough != ALL && enough.test(snapshot())) {
          finished = true;
          early = true;
          Outcome cancelled = new Outcome.Cancelled(true, Duration.ofNanos(System.nanoTime() - started));
          Outcome[] copy = Arrays.copyOf(outcomes, outcomes.length);
          for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
              copy[i] = cancelled;
            }
          }
          result = List.of(copy);
        }
      }
      if (result != null) {
        done.complete(result);
        if (early) {
          cancel.tryComplete();
        }
      }
    }

    private List<Optional<Outcome>> snapshot() {
      List<Optional<Outcome>> s = new ArrayList<>(outcomes.length);
      for (Outcome o : outcomes) {
        s.add(Optional.ofNullable(o));
      }
      return Collections.unmodifiableList(s);
    }
  }
}
