package io.callbridge;

import io.callbridge.config.LoggingConfig;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Log records, for people or for machines: {@code text} is one line per record on stderr (time,
 * level, logger, message); {@code json} is one JSON object per line on stdout, with a record's
 * structured fields (an access line's route, status, latency, ids) as its own keys. Timestamps are
 * UTC whatever the machine's time zone. Secrets never reach a record.
 */
public final class Logging {
  /** Millisecond UTC time, the same width on every line. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Held here: JUL keeps loggers weakly, and a collected logger forgets its level. */
  private static final Logger NETTY = Logger.getLogger("io.netty");
  private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");

  private Logging() {}

  /** Text on stderr until the configuration says otherwise. */
  static void setup() {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    NETTY.setLevel(Level.WARNING);
    FLYWAY.setLevel(Level.WARNING); // its INFO lines are one per migration, every start
    Logger.getLogger("").setLevel(Level.INFO);
    use(LoggingConfig.Format.TEXT);
  }

  /** Replaces the root logger's handlers with one writing {@code format}. */
  public static void use(LoggingConfig.Format format) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler handler = format == LoggingConfig.Format.JSON ? new StdoutHandler(new JsonLines()) : new ConsoleHandler();
    if (format == LoggingConfig.Format.TEXT) {
      handler.setFormatter(new TextLines());
    }
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
  }

  /** {@code 2026-12-02T16:53:48.123Z INFO    callbridge.access - POST /v1/… route=… status=202 …}. */
  static final class TextLines extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder(160).append(TIME.format(r.getInstant())).append(' ')
          .append(String.format("%-7s", r.getLevel().getName())).append(' ').append(r.getLoggerName())
          .append(" - ").append(message(r)).append('\n');
      if (r.getThrown() != null) {
        sb.append(stackTrace(r.getThrown()));
      }
      return sb.toString();
    }
  }

  /** {@code {"ts":"…Z","level":"INFO","logger":"callbridge.access","msg":"…","route":"…",…}}. */
  static final class JsonLines extends Formatter {
    @Override
    public String format(LogRecord r) {
      JsonObject line = new JsonObject().put("ts", TIME.format(r.getInstant())).put("level", r.getLevel().getName())
          .put("logger", r.getLoggerName()).put("msg", message(r));
      fields(r).forEach((k, v) -> line.put(k, v));
      if (r.getThrown() != null) {
        line.put("error", String.valueOf(r.getThrown())).put("stack", stackTrace(r.getThrown()));
      }
      return line.encode() + "\n";
    }
  }

  /**
   * The structured fields a record carries as its one parameter (a {@code Map<String, ?>}); the access
   * log does so. Other records have none.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fields(LogRecord r) {
    Object[] p = r.getParameters();
    return p != null && p.length == 1 && p[0] instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The message as written: a record with structured fields is never run through MessageFormat. */
  private static String message(LogRecord r) {
    if (!fields(r).isEmpty() || r.getParameters() == null || r.getParameters().length == 0) {
      return String.valueOf(r.getMessage());
    }
    return new java.util.logging.SimpleFormatter().formatMessage(r);
  }

  private static String stackTrace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw.toString();
  }

  /** Like {@link ConsoleHandler}, on stdout (a container's log is its stdout). */
  private static final class StdoutHandler extends StreamHandler {
    StdoutHandler(Formatter formatter) {
      super(System.out, formatter);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      super.publish(record);
      flush();
    }

    @Override
    public synchronized void close() {
      flush(); // never close System.out
    }
  }
}
