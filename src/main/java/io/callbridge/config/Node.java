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
 * A position in the parsed YAML tree: CallBridge's one YAML reader (the gateway's configuration and
 * the simulators' both). Reading a key marks it as known; {@link #finish()} reports every key that
 * nobody read, or {@link #only} every key outside a list, so a typo never passes silently. Every
 * error carries its path.
 * Environment references ({@code ${VAR}}, {@code ${VAR:-default}}) are resolved per scalar, after
 * parsing, so a variable's content can never change the document's structure.
 */
public final class Node {
  static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
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

  /** The root of a document read without environment references; every error is added to {@code errors}. */
  public static Node root(Object value, List<String> errors) {
    return new Node("", value, new Errors(errors), Map.of());
  }

  /** The parsed value as it is (a String, Number, Boolean, Map or List), null when missing. */
  public Object raw() {
    return value;
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

  /** Reports every key of this mapping not in {@code allowed}, naming the allowed ones. */
  public void only(String... allowed) {
    if (value instanceof Map<?, ?> m) {
      Set<String> ok = Set.of(allowed);
      for (Object k : m.keySet()) {
        String key = String.valueOf(k);
        if (!ok.contains(key)) {
          errors.add((path.isEmpty() ? key : path + "." + key) + ": unknown key (expected one of: "
              + String.join(", ", new java.util.TreeSet<>(ok)) + ")");
        }
      }
    }
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

  /** This node as a string, or {@code fallback} when missing. */
  public String text(String fallback) {
    String s = text();
    return s == null ? fallback : s;
  }

  /** This node as a number in [min, max], or {@code fallback} when missing or wrong (then an error). */
  public double asDouble(double fallback, double min, double max) {
    String s = text();
    if (s == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      error("expected a number, got '" + s + "'");
      return fallback;
    }
    if (d < min || d > max || Double.isNaN(d)) {
      error("must be between " + plain(min) + " and " + plain(max) + ", got " + plain(d));
      return fallback;
    }
    return d;
  }

  /** This node as a whole number in [min, max] ({@code 3.0} counts), or {@code fallback}. */
  public int asInt(int fallback, int min, int max) {
    double d = asDouble(fallback, min, max);
    if (d != Math.rint(d)) {
      error("expected a whole number, got " + plain(d));
      return fallback;
    }
    return (int) d;
  }

  /** This node as true or false (also yes/no, on/off), or {@code fallback} when missing. */
  public boolean asBool(boolean fallback) {
    String s = text();
    if (s == null) {
      return fallback;
    }
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        error("expected true or false, got '" + s + "'");
        yield fallback;
      }
    };
  }

  /** This node as a list of strings; a single value is a list of one. */
  public List<String> asStrings() {
    if (value == null) {
      return List.of();
    }
    if (!isList()) {
      String single = text();
      return single == null ? List.of() : List.of(single);
    }
    List<String> out = new ArrayList<>();
    for (Node item : items()) {
      String s = item.text();
      if (s != null) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
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
    return get(key).asDouble(fallback, min, max);
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
    return get(key).asBool(fallback);
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
      error("expected a duration such as 800ms, 1.5s, 10s, 5m, 2h or 35d, got '" + s + "'");
      return fallback;
    }
    double n = Double.parseDouble(m.group(1));
    double unitNanos = switch (m.group(2)) {
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      case "h" -> 3600e9;
      default -> 86_400e9;
    };
    return Duration.ofNanos(Math.round(n * unitNanos));
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
    return get(key).asStrings();
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
    private final List<String> list;

    Errors() {
      this(new ArrayList<>());
    }

    Errors(List<String> list) {
      this.list = list;
    }

    void add(String e) {
      list.add(e);
    }

    List<String> list() {
      return list;
    }
  }
}
