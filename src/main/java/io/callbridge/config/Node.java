package io.callbridge.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the parsed YAML tree. Reading a key marks it as known; {@link #finish()} reports
 * every key that nobody read, so a typo never passes silently. Every error carries its path.
 * Environment references ({@code ${VAR}}, {@code ${VAR:-default}}) are resolved per scalar, after
 * parsing, so a variable's content can never change the document's structure.
 */
public final class Node {
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

  private final String path;
  private final Object value;
  private final Errors errors;
  private final Map<String, String> env;
  private final Set<String> read = new LinkedHashSet<>();

  private Node(String path, Object value, Errors errors, Map<String, String> env) {
    this.path = path;
    this.value = value;
    this.errors = errors;
    this.env = env;
  }

  static Node root(Object value, Errors errors, Map<String, String> env) {
    return new Node("", value, errors, env);
  }

  public String path() {
    return path;
  }

  public boolean isMissing() {
    return value == null;
  }

  public boolean isMap() {
    return value instanceof Map;
  }

  public boolean isList() {
    return value instanceof List;
  }

  public boolean has(String key) {
    return value instanceof Map<?, ?> m && m.containsKey(key);
  }

  public void error(String message) {
    errors.add((path.isEmpty() ? "(root)" : path) + ": " + message);
  }

  /** The child at {@code key}; a missing key gives a missing node (never null). */
  public Node get(String key) {
    read.add(key);
    Object child = null;
    if (value instanceof Map<?, ?> m) {
      child = m.get(key);
    } else if (value != null) {
      error("expected a mapping, found " + describe(value));
    }
    return new Node(path.isEmpty() ? key : path + "." + key, child, errors, env);
  }

  /** The items of a list (a missing node gives an empty list). */
  public List<Node> items() {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      error("expected a list, found " + describe(value));
      return List.of();
    }
    List<Node> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(new Node(path + "[" + i + "]", list.get(i), errors, env));
    }
    return out;
  }

  /** The entries of a mapping whose keys are names chosen by the operator (all count as read). */
  public Map<String, Node> entries() {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> m)) {
      error("expected a mapping, found " + describe(value));
      return Map.of();
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      read.add(key);
      out.put(key, new Node(path.isEmpty() ? key : path + "." + key, e.getValue(), errors, env));
    }
    return out;
  }

  /** Reports every key of this mapping that was never read. Call once the section is parsed. */
  public void finish() {
    if (!(value instanceof Map<?, ?> m)) {
      return;
    }
    for (Object key : m.keySet()) {
      String k = String.valueOf(key);
      if (!read.contains(k)) {
        String where = path.isEmpty() ? k : path + "." + k;
        errors.add(where + ": unknown key (known here: " + String.join(", ", read) + ")");
      }
    }
  }

  // ---- scalars -------------------------------------------------------------------------------

  /** This node as a string with environment references resolved; null when missing. */
  public String text() {
    if (value == null) {
      return null;
    }
    if (value instanceof Map || value instanceof List) {
      error("expected a single value, found " + describe(value));
      return null;
    }
    return resolveEnv(String.valueOf(value));
  }

  public String string(String key, String fallback) {
    String s = get(key).text();
    return s == null ? fallback : s;
  }

  public String requiredString(String key) {
    Node n = get(key);
    String s = n.text();
    if (s == null || s.isBlank()) {
      if (n.isMissing()) {
        n.error("is required");
      } else {
        n.error("must not be empty");
      }
      return "";
    }
    return s;
  }

  public Secret secret(String key, String fallback) {
    String s = string(key, fallback);
    return s == null ? Secret.NONE : new Secret(s);
  }

  public int integer(String key, int fallback, int min, int max) {
    Node n = get(key);
    return (int) n.asLong(fallback, min, max);
  }

  public double decimal(String key, double fallback, double min, double max) {
    Node n = get(key);
    String s = n.text();
    if (s == null) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(s.trim());
      if (d < min || d > max || Double.isNaN(d)) {
        n.error("must be between " + min + " and " + max + ", got " + s);
        return fallback;
      }
      return d;
    } catch (NumberFormatException e) {
      n.error("expected a number, got '" + s + "'");
      return fallback;
    }
  }

  long asLong(long fallback, long min, long max) {
    String s = text();
    if (s == null) {
      return fallback;
    }
    try {
      long v = Long.parseLong(s.trim());
      if (v < min || v > max) {
        error("must be between " + min + " and " + max + ", got " + v);
        return fallback;
      }
      return v;
    } catch (NumberFormatException e) {
      error("expected a whole number, got '" + s + "'");
      return fallback;
    }
  }

  public boolean bool(String key, boolean fallback) {
    Node n = get(key);
    String s = n.text();
    if (s == null) {
      return fallback;
    }
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        n.error("expected true or false, got '" + s + "'");
        yield fallback;
      }
    };
  }

  /** A duration such as {@code 800ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 35d}. */
  public Duration duration(String key, Duration fallback) {
    return get(key).asDuration(fallback);
  }

  public Duration asDuration(Duration fallback) {
    String s = text();
    if (s == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      error("expected a duration such as 800ms, 10s, 5m, 2h or 35d, got '" + s + "'");
      return fallback;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A size in bytes: {@code 65536}, {@code 64KiB}, {@code 1MiB}. */
  public long bytes(String key, long fallback) {
    Node n = get(key);
    String s = n.text();
    if (s == null) {
      return fallback;
    }
    Matcher m = SIZE.matcher(s.trim());
    if (!m.matches()) {
      n.error("expected a size such as 65536, 64KiB or 1MiB, got '" + s + "'");
      return fallback;
    }
    long v = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long mult = switch (unit) {
      case "KiB" -> 1024L;
      case "MiB" -> 1024L * 1024;
      case "GiB" -> 1024L * 1024 * 1024;
      case "KB" -> 1000L;
      case "MB" -> 1000L * 1000;
      case "GB" -> 1000L * 1000 * 1000;
      default -> 1L;
    };
    if (v <= 0) {
      n.error("must be greater than 0");
      return fallback;
    }
    return v * mult;
  }

  public <E extends Enum<E>> E choice(String key, E fallback, Function<String, E> parse, String allowed) {
    Node n = get(key);
    String s = n.text();
    if (s == null) {
      return fallback;
    }
    E e = parse.apply(s.trim());
    if (e == null) {
      n.error("unknown value '" + s + "' (expected one of: " + allowed + ")");
      return fallback;
    }
    return e;
  }

  public List<String> strings(String key) {
    Node n = get(key);
    if (n.isMissing()) {
      return List.of();
    }
    if (!n.isList()) {
      String single = n.text();
      return single == null ? List.of() : List.of(single);
    }
    List<String> out = new ArrayList<>();
    for (Node item : n.items()) {
      String s = item.text();
      if (s != null) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** A mapping of names to scalar values (e.g. headers, template variables). */
  public Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : get(key).entries().entrySet()) {
      String s = e.getValue().text();
      out.put(e.getKey(), s == null ? "" : s);
    }
    return Collections.unmodifiableMap(out);
  }

  private String resolveEnv(String raw) {
    if (raw.indexOf("${") < 0) {
      return raw;
    }
    Matcher m = ENV_REF.matcher(raw);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String v = env.get(name);
      if (v == null || (v.isEmpty() && m.group(2) != null)) {
        v = m.group(2);
      }
      if (v == null) {
        error("environment variable " + name + " is not set (set it, or write ${" + name + ":-default})");
        v = "";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String describe(Object v) {
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    return "'" + v + "'";
  }

  /** The error list shared by all nodes of one document. */
  static final class Errors {
    private final List<String> list = new ArrayList<>();

    void add(String e) {
      list.add(e);
    }

    List<String> list() {
      return list;
    }
  }
}
