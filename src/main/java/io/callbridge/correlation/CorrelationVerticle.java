package io.callbridge.correlation;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** Owns persistence: the flush timer, the retention timer, and the final flush on undeploy. */
final class CorrelationVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(CorrelationVerticle.class.getName());

  private final WriteBehind writeBehind;
  private final long flushIntervalMs;
  private final long purgeIntervalMs;
  private final Supplier<Future<Long>> purge;
  private boolean purging;

  CorrelationVerticle(WriteBehind writeBehind, long flushIntervalMs, long purgeIntervalMs, Supplier<Future<Long>> purge) {
    this.writeBehind = writeBehind;
    this.flushIntervalMs = flushIntervalMs;
    this.purgeIntervalMs = purgeIntervalMs;
    this.purge = purge;
  }

  @Override
  public Future<?> start() {
    writeBehind.attach(context);
    vertx.setPeriodic(flushIntervalMs, id -> writeBehind.pump(true));
    vertx.setPeriodic(purgeIntervalMs, id -> purgeOnce());
    return Future.succeededFuture();
  }

  private void purgeOnce() {
    if (purging) {
      return;
    }
    purging = true;
    purge.get().onComplete(ar -> {
      purging = false;
      if (ar.failed()) {
        LOG.warning("correlation retention purge failed, will retry next interval: " + ar.cause());
      } else if (ar.result() > 0) {
        LOG.info("correlation retention removed " + ar.result() + " link rows");
      }
    });
  }

  /** Graceful stop: everything queued goes to PostgreSQL before the pool closes. */
  @Override
  public Future<?> stop() {
    return writeBehind.drain().recover(err -> {
      LOG.warning("correlation: final flush failed, " + writeBehind.depth() + " queued links not persisted: " + err);
      return Future.succeededFuture();
    });
  }
}
