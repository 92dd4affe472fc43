package io.callbridge.outbox;

import io.vertx.core.Future;

/**
 * What a flow needs of durable delivery: enqueue, answered once PostgreSQL committed the envelope
 * (a failed future: it was not stored, answer 503). {@link Outbox} is the real one.
 */
@FunctionalInterface
public interface DurableQueue {
  Future<Enqueued> enqueue(Envelope envelope);
}
