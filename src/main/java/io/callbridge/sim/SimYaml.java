package io.callbridge.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A path-aware view of parsed simulator YAML: every error names its path; unknown keys are errors. */
final class SimYaml {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private final String path;
  private final Object value;
  private final List<String> errors;

  SimYaml(String path, Object value, List<String> errors) {
    this.path = path;
    this.value = value;
    this.errors = errors;
  }

  String path() {
    return path;
  }

  boolean missing() {
    return value == null;
  }

  Object raw() {
    return value;
  }

  void error(String message) {
    errors.add((path.isEmpty() ? "(root)" : path) + ": " + message);
  }

  SimYaml get(String key) {
    Object child = value instanceof Map<?, ?> m ? m.get(key) : null;
    if (value != null && !(value instanceof Map)) {
      error("expected a mapping");
    }
    return new SimYaml(path.isEmpty() ? key : path + "." + key, child, errors);
  }

  /** The entries of a mapping, in file order (missing gives none). */
  Map<String, SimYaml> entries() {
    Map<String, SimYaml> out = new LinkedHashMap<>();
    if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), new SimYaml(child(String.valueOf(k)), v, errors)));
    } else if (value != null) {
      error("expected a mapping");
    }
    return out;
  }

  List<SimYaml> items() {
    List<SimYaml> out = new ArrayList<>();
    if (value instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        out.add(new SimYaml(path + "[" + i + "]", l.get(i), errors));
      }
    } else if (value != null) {
      error("expected a list");
    }
    return out;
  }

  /** Reports every key not in {@code allowed}, so a typo never passes silently. */
  void only(String... allowed) {
    if (value instanceof Map<?, ?> m) {
      Set<String> ok = Set.of(allowed);
      for (Object k : m.keySet()) {
        if (!ok.contains(String.valueOf(k))) {
          new SimYaml(child(String.valueOf(k)), null, errors).error("unknown key (expected one of: "
              + String.join(", ", new TreeSet<>(ok)) + ")");
        }
      }
    }
  }

  String text(String fallback) {
    if (value == null) {
      return fallback;
    }
    if (value instanceof Map || value instanceof List) {
      error("expected a value, found a " + (value instanceof Map ? "mapping" : "list"));
      return fallback;
    }
    return String.valueOf(value);
  }

  double number(double fallback, double min, double max) {
    if (value == null) {
      return fallback;
    }
    double d;
    if (value instanceof Number n) {
      d = n.doubleValue();
    } else {
      try {
        d = Double.parseDouble(String.valueOf(value).trim());
      } catch (NumberFormatException e) {
        error("expected a number, got '" + value + "'");
        return fallback;
      }
    }
    if (d < min || d > max) {
      error("must be between " + fmt(min) + " and " + fmt(max) + ", got " + fmt(d));
      return fallback;
    }
    return d;
  }

  int integer(int fallback, int min, int max) {
    double d = number(fallback, min, max);
    if (d != Math.rint(d)) {
      error("expected a whole number, got " + d);
      return fallback;
    }
    return (int) d;
  }

  boolean bool(boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    error("expected true or false, got '" + value + "'");
    return fallback;
  }

  /** {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}; a bare number is milliseconds. */
  Duration duration(Duration fallback) {
    if (value == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(String.valueOf(value).trim());
    if (!m.matches()) {
      error("expected a duration such as 250ms, 2s or 1m, got '" + value + "'");
      return fallback;
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    double ms = switch (unit) {
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> n;
    };
    return Duration.ofNanos((long) (ms * 1_000_000));
  }

  List<String> strings() {
    List<String> out = new ArrayList<>();
    if (value instanceof List<?> l) {
      l.forEach(v -> out.add(String.valueOf(v)));
    } else if (value != null) {
      out.add(String.valueOf(value));
    }
    return out;
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
