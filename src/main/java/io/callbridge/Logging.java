package io.callbridge;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One line per log record on stderr: time, level, logger, message. Secrets never reach a record. */
final class Logging {
  private Logging() {}

  static void setup() {
    System.setProperty("java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s - %5$s%6$s%n");
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
    Logger.getLogger("org.flywaydb").setLevel(Level.WARNING);
  }
}
