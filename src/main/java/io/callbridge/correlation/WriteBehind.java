package io.callbridge.correlation;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The bounded write queue between {@code link()} and PostgreSQL. {@link #offer} runs on any thread
 * and never blocks; everything else runs on the correlation verticle's context.
 *
 * <p>Overflow policy, "keep in memory, drop the write": when the queue is full the newest link is
 * not queued. It has already changed this instance's cache, so finds here still see it; it is
 * missing from PostgreSQL (other instances, restarts) until the same call is linked again, which
 * queues the whole merged record. Each such drop counts in {@code callbridge_correlation_overflow_total}.
 * A full queue means PostgreSQL is down or slower than the link rate; blocking or growing would
 * hand that trouble to the ping and enrich deadlines instead.
 *
 * <p>One slot per waiting call, not per link: a queued write ({@link Pending}) holds its call's
 * latest record until a batch takes it, and a link of that call meanwhile puts its record in place
 * of the waiting one ({@link #join}) instead of taking another slot. Once a batch has taken the
 * write, or the queue refused it, the call's next link queues its whole record again (so a dropped
 * write is still repaired by the next link; a link that joined a write the queue then refused is
 * dropped with it, and counted once).
 */
final class WriteBehind {
  private static final Logger LOG = Logger.getLogger(WriteBehind.class.getName());
  private static final long FAILURE_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** A queued write: its call's latest record; null once a batch took it or the queue refused it. */
  static final class Pending extends AtomicReference<CallRecord> {
    Pending(CallRecord r) {
      super(r);
    }
  }

  private final ArrayBlockingQueue<Pending> queue;
  private final LinkStore store;
  private final int batch;
  private final int concurrency;
  private final CorrelationMetrics metrics;
  private final AtomicBoolean kickPending = new AtomicBoolean();
  private volatile long lastOverflowWarn;
  private volatile Context context;

  // Verticle context only.
  private int inFlight;
  private long retryAfterNanos;
  private long lastFailureWarn;
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();

  WriteBehind(int capacity, int batch, int concurrency, LinkStore store, CorrelationMetrics metrics) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batch = batch;
    this.concurrency = concurrency;
    this.store = store;
    this.metrics = metrics;
  }

  void attach(Context verticleContext) {
    this.context = verticleContext;
  }

  int depth() {
    return queue.size();
  }

  /**
   * Called by the cache (under its monitor) when {@code next} replaces {@code previous} as a call's
   * record, before publishing it: if previous is still waiting in the queue, next takes its place
   * there ({@code next.queued} is that write); otherwise {@code next.queued} stays null and
   * {@link #offer} queues it.
   */
  static void join(CallRecord previous, CallRecord next) {
    // The call's written record follows it from record to record, so a batch can tell a change from
    // a call only seen again (LinkStore leaves those out for a while).
    CallRecord.Written w = previous.written;
    if (w == null) {
      w = new CallRecord.Written();
      previous.written = w;
    }
    next.written = w;
    Pending p = previous.queued;
    if (p == null) {
      return;
    }
    next.queued = p; // before the swap, so a batch that takes next finds it there and clears it
    if (!p.compareAndSet(previous, next)) {
      next.queued = null; // taken or refused meanwhile
    }
  }

  /**
   * Queues a record of its call, unless it already waits there (it joined its call's waiting write);
   * false (and counted) when the queue is full. Any thread, never blocks.
   */
  boolean offer(CallRecord r) {
    if (r.queued != null) {
      // Joined (if a batch took it already and cleared the mark, r is queued once more: the same
      // record written twice, harmless).
      return true;
    }
    Pending p = new Pending(r);
    r.queued = p;
    if (!queue.offer(p)) {
      // Nothing may join a write that is not queued: the call's next link queues its whole record.
      p.set(null);
      r.queued = null;
      metrics.overflow.increment();
      long now = System.nanoTime();
      if (now - lastOverflowWarn > WARN_EVERY_NANOS) {
        lastOverflowWarn = now;
        LOG.warning("correlation write queue full (" + queue.remainingCapacity() + " free): links stay in the "
            + "cache but are not persisted; see callbridge_correlation_overflow_total");
      }
      return false;
    }
    Context c = context;
    if (c != null && queue.size() >= batch && kickPending.compareAndSet(false, true)) {
      c.runOnContext(v -> {
        kickPending.set(false);
        pump(false);
      });
    }
    return true;
  }

  /** Starts batches while there is room: full ones, or whatever is queued when {@code force} (the timer). */
  void pump(boolean force) {
    if (retryAfterNanos != 0 && System.nanoTime() < retryAfterNanos && drainWaiters.isEmpty()) {
      return;
    }
    boolean all = force || !drainWaiters.isEmpty();
    while (inFlight < concurrency) {
      int size = queue.size();
      if (size == 0 || (!all && size < batch)) {
        break;
      }
      List<CallRecord> drained = take(Math.min(size, batch));
      if (drained.isEmpty()) {
        break;
      }
      write(drained);
    }
    settleWaiters(null);
  }

  /** Takes up to {@code max} queued writes: their records as they stand now; later links of these calls queue anew. */
  List<CallRecord> take(int max) {
    List<Pending> taken = new ArrayList<>(Math.min(max, queue.size()));
    queue.drainTo(taken, max);
    List<CallRecord> records = new ArrayList<>(taken.size());
    for (Pending p : taken) {
      CallRecord r = p.getAndSet(null);
      if (r != null) {
        if (r.queued == p) {
          r.queued = null; // a record cached for hours keeps no spent write alive
        }
        records.add(r);
      }
    }
    return records;
  }

  /** Told about each batch PostgreSQL took (its records), e.g. to wake postbacks waiting for these calls. */
  private volatile java.util.function.Consumer<List<CallRecord>> written = r -> { };

  void onWritten(java.util.function.Consumer<List<CallRecord>> listener) {
    this.written = listener;
  }

  private void write(List<CallRecord> drained) {
    inFlight++;
    long start = System.nanoTime();
    store.append(drained).onComplete(ar -> {
      inFlight--;
      if (ar.succeeded()) {
        retryAfterNanos = 0;
        metrics.flushLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        metrics.batchLinks.record(drained.size());
        metrics.batchRows.record(ar.result());
        for (CallRecord r : drained) {
          CallRecord.Written w = r.written;
          if (w == null) {
            w = new CallRecord.Written();
            r.written = w;
          }
          CallRecord last = w.last;
          if (last == null || last.lastSeenMs <= r.lastSeenMs) {
            w.last = r;
          }
        }
        try {
          written.accept(drained);
        } catch (RuntimeException e) {
          LOG.warning("correlation: a written-batch listener failed: " + e);
        }
        pump(false);
      } else {
        metrics.flushFailures.increment();
        retryAfterNanos = System.nanoTime() + FAILURE_BACKOFF_NANOS;
        long now = System.nanoTime();
        if (now - lastFailureWarn > WARN_EVERY_NANOS) {
          lastFailureWarn = now;
          LOG.warning("correlation flush of " + drained.size() + " records failed, retrying: " + ar.cause());
        }
        for (CallRecord r : drained) {
          // Retried as they were, behind whatever was queued since (a read merges them).
          if (!queue.offer(new Pending(r))) {
            metrics.overflow.increment();
          }
        }
        settleWaiters(ar.cause());
      }
    });
  }

  /** Completes when everything queued before the call is in PostgreSQL; fails on a flush failure. */
  Future<Void> drain() {
    Promise<Void> p = Promise.promise();
    Context c = context;
    if (c == null) {
      return Future.failedFuture("the correlation verticle is not running");
    }
    c.runOnContext(v -> {
      drainWaiters.add(p);
      pump(true);
    });
    return p.future();
  }

  private void settleWaiters(Throwable failure) {
    if (drainWaiters.isEmpty()) {
      return;
    }
    if (failure == null && (inFlight > 0 || !queue.isEmpty())) {
      return;
    }
    List<Promise<Void>> waiting = new ArrayList<>(drainWaiters);
    drainWaiters.clear();
    waiting.forEach(w -> {
      if (failure == null) {
        w.tryComplete();
      } else {
        w.tryFail(failure);
      }
    });
  }
}
