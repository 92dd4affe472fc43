package io.callbridge.config;

import java.util.Map;

/**
 * {@code logging}: how log records are written. {@code format: json} — one JSON object per line on
 * stdout, for a log shipper (the default in {@code callbridge.yaml}); {@code text} — one readable
 * line per record on stderr, for a terminal (the default otherwise). Timestamps are UTC either way.
 * {@code CALLBRIDGE_LOG_FORMAT} overrides the file.
 */
public record LoggingConfig(Format format) {
  public enum Format { TEXT, JSON }

  public static final LoggingConfig TEXT = new LoggingConfig(Format.TEXT);

  static LoggingConfig parse(Node n, Map<String, String> env) {
    n.only("format");
    String fromEnv = env.get("CALLBRIDGE_LOG_FORMAT");
    boolean fromEnvGiven = fromEnv != null && !fromEnv.isBlank();
    String value = fromEnvGiven ? fromEnv.trim() : n.string("format", "text");
    return switch (value) {
      case "json" -> new LoggingConfig(Format.JSON);
      case "text" -> TEXT;
      default -> {
        if (fromEnvGiven) {
          n.error("CALLBRIDGE_LOG_FORMAT must be json or text, got '" + value + "'");
        } else {
          n.get("format").error("must be json or text, got '" + value + "'");
        }
        yield TEXT;
      }
    };
  }
}
