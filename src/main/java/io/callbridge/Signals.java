package io.callbridge;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful stop (exit 0 once drained) instead of the JVM's abrupt exit.
 * A second signal while draining is ignored; the shutdown grace bounds the wait.
 */
final class Signals {
  private Signals() {}

  static void onTerminate(Runnable stop) {
    AtomicBoolean once = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        if (once.compareAndSet(false, true)) {
          stop.run();
        }
      });
    }
  }
}
