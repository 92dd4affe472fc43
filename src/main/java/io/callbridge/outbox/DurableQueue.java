package io.callbridge.outbox;

import io.callbridge.deadline.Deadline;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/**
 * What a flow needs of durable delivery: enqueue, answered once PostgreSQL committed the envelope
 * (a failed future: it was not stored, answer 503). {@link Outbox} is the real one.
 */
@FunctionalInterface
public interface DurableQueue {
  Future<Enqueued> enqueue(Envelope envelope);

  /** {@link #enqueue}, failing when the commit has not come by {@code deadline} (nothing is then acknowledged). */
  default Future<Enqueued> enqueue(Envelope envelope, Deadline deadline) {
    return enqueue(envelope).timeout(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
  }
}
