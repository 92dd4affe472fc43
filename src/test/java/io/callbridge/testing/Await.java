package io.callbridge.testing;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Waits for a Vert.x future from a test thread (never call it on an event loop). */
public final class Await {
  private Await() {}

  public static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
