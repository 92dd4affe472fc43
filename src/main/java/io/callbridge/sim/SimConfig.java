package io.callbridge.sim;

import io.callbridge.config.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * How the simulated Ringba and TrackDrive behave, per endpoint id (publisher number id, RTB id,
 * webhook id, TrackDrive subdomain, ping vanity). A {@code "*"} entry answers for any id not listed.
 * The format is documented in {@code conf/sim.yaml}.
 */
public record SimConfig(
    long seed,
    int recorderCapacity,
    int recorderBodyBytes,
    Map<String, Enrich> enrich,
    Map<String, Rtb> rtb,
    Map<String, Webhook> webhooks,
    String defaultSubdomain,
    Map<String, Company> companies,
    Map<String, Account> accounts,
    Map<String, RingTree> ringTrees) {

  /** A configuration error with every problem and its path. */
  public static final class Invalid extends RuntimeException {
    private final List<String> errors;

    Invalid(String source, List<String> errors) {
      super(source + ": " + errors.size() + " error(s)\n  " + String.join("\n  ", errors));
      this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
      return errors;
    }
  }

  /** Latency and faults, shared by every endpoint. */
  public record Behaviour(Latency latency, Faults faults) {
    static final Behaviour NONE = new Behaviour(Latency.NONE, Faults.NONE);
  }

  /** {@code fixed}, {@code uniform} between two values, or {@code logNormal} around a median (capped at max). */
  public record Latency(String kind, Duration a, Duration b, double sigma, Duration max) {
    static final Latency NONE = new Latency("fixed", Duration.ZERO, Duration.ZERO, 0, Duration.ZERO);

    long sampleMillis(SplittableRandom r) {
      double ms = switch (kind) {
        case "uniform" -> a.toMillis() + r.nextDouble() * (b.toMillis() - a.toMillis());
        case "logNormal" -> Math.min(max.toMillis(), a.toMillis() * Math.exp(sigma * gaussian(r)));
        default -> a.toMillis();
      };
      return Math.max(0, Math.round(ms));
    }
  }

  /** What a fault turns a request into. */
  /** ERROR200: HTTP 200 with {@code {"status":"error",…}}, the way TrackDrive's API can refuse (script only). */
  public enum Fault { OK, HTTP500, HTTP429, RESET, HANG, ERROR200 }

  /**
   * Probabilities of each fault (checked in this order from one draw), the {@code Retry-After} of a
   * 429, how long a hang holds the connection, and an optional script: the first requests to the
   * endpoint get these faults in order, before the probabilities apply.
   */
  public record Faults(double http500, double http429, Duration retryAfter, double reset, double hang,
      Duration hangFor, List<Fault> script) {
    static final Faults NONE = new Faults(0, 0, Duration.ofSeconds(1), 0, 0, Duration.ofMinutes(5), List.of());

    Fault pick(SplittableRandom r, long index) {
      if (index < script.size()) {
        return script.get((int) index);
      }
      double u = r.nextDouble();
      if ((u -= http500) < 0) {
        return Fault.HTTP500;
      }
      if ((u -= http429) < 0) {
        return Fault.HTTP429;
      }
      if ((u -= reset) < 0) {
        return Fault.RESET;
      }
      if ((u -= hang) < 0) {
        return Fault.HANG;
      }
      return Fault.OK;
    }
  }

  /** A bid amount: {@code fixed}, {@code uniform: [lo, hi]}, or {@code normal: {mean, sd}} (never below 0.01); cents. */
  public record Amount(String kind, double a, double b) {
    double sample(SplittableRandom r) {
      double v = switch (kind) {
        case "uniform" -> a + r.nextDouble() * (b - a);
        case "normal" -> Math.max(0.01, a + b * gaussian(r));
        default -> a;
      };
      return Math.round(v * 100) / 100.0;
    }
  }

  /** Which call ids exist: {@code any}, {@code seen} (carried over by the other platform's traffic), or a regex. */
  public record KnownIds(String mode, Pattern pattern) {
    static final KnownIds ANY = new KnownIds("any", null);

    boolean known(String id, java.util.function.Predicate<String> seen) {
      return switch (mode) {
        case "any" -> true;
        case "seen" -> seen.test(id);
        default -> pattern.matcher(id).matches() || seen.test(id);
      };
    }
  }

  public record Enrich(Behaviour behaviour) {}

  public record Rtb(Behaviour behaviour, boolean requireCallerId, Amount bidAmount, double noBidRate, int rejectCode,
      int expireInSeconds, List<String> phoneNumbers, String sipDomain, int duration) {}

  public record Webhook(Behaviour behaviour, KnownIds knownCallIds, String callIdParam, String revenueParam,
      String convertParam) {}

  public record PostingInstruction(String leadToken, String trafficSourceId) {}

  /**
   * One inbound webhook: its bid, how often no buyer matches, how long a ping id may be posted
   * ({@code pingSeconds}) and the tracking number a post answers ({@code number}).
   */
  public record Ping(Behaviour behaviour, Amount bid, double noBidRate, int pingSeconds, String number) {}

  /**
   * A Ringba ring tree, played by {@code POST /_sim/ring-tree/{id}}: its targets are pinged at once,
   * answers later than {@code pingTimeout} (Ringba's default 2000 ms, at least 50 ms) are no bids, and
   * bids below {@code minimumBid} do not take part.
   */
  public record RingTree(Duration pingTimeout, double minimumBid, List<RingTreeTarget> targets) {}

  /**
   * A Ring Tree Target: the URL Ringba pings (JSON POST of the call), the bid acceptance URL
   * (default: the ping URL + {@code /accept}) and the headers both carry.
   */
  public record RingTreeTarget(String name, String url, String acceptUrl, Duration acceptTimeout,
      Map<String, String> headers) {}

  /** A Ringba account's reporting API: {@code POST /v2/{accountId}/calllogs} with {@code Authorization: Token <apiToken>}. */
  public record Account(Behaviour behaviour, String apiToken) {}

  public record Company(Behaviour behaviour, String publicKey, String privateKey, String authToken,
      List<PostingInstruction> postingInstructions, KnownIds knownCallIds, Map<String, Ping> ping) {}

  /** The profile for {@code id}, or the {@code "*"} one. */
  static <T> Optional<T> lookup(Map<String, T> map, String id) {
    T t = map.get(id);
    return Optional.ofNullable(t != null ? t : map.get("*"));
  }

  public static SimConfig load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new Invalid(file.toString(), List.of("cannot read: " + e.getMessage()));
    }
  }

  /** Everything at its default: any publisher number, a bidding {@code "*"} RTB id, any webhook, company {@code demo}. */
  public static SimConfig defaults() {
    return parse("""
        ringba:
          rtb: { "*": {} }
          webhooks: { "*": {} }
        trackdrive:
          companies:
            demo:
              postingInstructions: [ { leadToken: demo-lead-token, trafficSourceId: "1001" } ]
              ping: { "*": {} }
        """, "defaults");
  }

  public static SimConfig parse(String yaml, String source) {
    Object doc;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      doc = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new Invalid(source, List.of(String.valueOf(e.getMessage())));
    }
    List<String> errors = new ArrayList<>();
    Node root = Node.root(doc == null ? Map.of() : doc, errors);
    root.only("seed", "recorder", "ringba", "trackdrive");
    long seed = (long) root.get("seed").asDouble(1, -9.0e15, 9.0e15);
    Node rec = root.get("recorder");
    rec.only("capacity", "maxBodyBytes");
    int capacity = rec.get("capacity").asInt(10_000, 1, 1_000_000);
    int bodyBytes = rec.get("maxBodyBytes").asInt(16 * 1024, 0, 1024 * 1024);

    Node ringba = root.get("ringba");
    ringba.only("enrich", "rtb", "webhooks", "accounts", "ringTrees");
    Map<String, Enrich> enrich = new LinkedHashMap<>();
    ringba.get("enrich").entries().forEach((id, n) -> {
      n.only("latency", "faults");
      enrich.put(id, new Enrich(behaviour(n)));
    });
    Map<String, Rtb> rtb = new LinkedHashMap<>();
    ringba.get("rtb").entries().forEach((id, n) -> rtb.put(id, rtb(n)));
    Map<String, Webhook> webhooks = new LinkedHashMap<>();
    ringba.get("webhooks").entries().forEach((id, n) -> {
      n.only("latency", "faults", "knownCallIds", "callIdParam", "revenueParam", "convertParam");
      webhooks.put(id, new Webhook(behaviour(n), known(n.get("knownCallIds")),
          n.get("callIdParam").text("call_id"), n.get("revenueParam").text("call_revenue"),
          n.get("convertParam").text("sale_successful")));
    });

    Map<String, Account> accounts = new LinkedHashMap<>();
    ringba.get("accounts").entries().forEach((id, n) -> {
      n.only("latency", "faults", "apiToken");
      accounts.put(id, new Account(behaviour(n), n.get("apiToken").text("")));
    });

    Map<String, RingTree> ringTrees = new LinkedHashMap<>();
    ringba.get("ringTrees").entries().forEach((id, n) -> ringTrees.put(id, ringTree(n)));

    Node td = root.get("trackdrive");
    td.only("defaultSubdomain", "companies");
    Map<String, Company> companies = new LinkedHashMap<>();
    td.get("companies").entries().forEach((sub, n) -> companies.put(sub, company(n)));
    String defaultSub = td.get("defaultSubdomain").text(companies.isEmpty() ? "" : companies.keySet().iterator().next());
    if (!defaultSub.isEmpty() && !companies.containsKey(defaultSub)) {
      td.get("defaultSubdomain").error("no company '" + defaultSub + "' under trackdrive.companies");
    }
    if (!errors.isEmpty()) {
      throw new Invalid(source, errors);
    }
    return new SimConfig(seed, capacity, bodyBytes, Map.copyOf(enrich), Map.copyOf(rtb), Map.copyOf(webhooks),
        defaultSub, Map.copyOf(companies), Map.copyOf(accounts), Map.copyOf(ringTrees));
  }

  public SimConfig withSeed(long newSeed) {
    return new SimConfig(newSeed, recorderCapacity, recorderBodyBytes, enrich, rtb, webhooks, defaultSubdomain,
        companies, accounts, ringTrees);
  }

  private static RingTree ringTree(Node n) {
    n.only("pingTimeout", "minimumBid", "targets");
    Duration timeout = n.get("pingTimeout").asDuration(Duration.ofMillis(2000));
    if (timeout.toMillis() < 50) {
      n.get("pingTimeout").error("Ringba's ping timeout is at least 50ms");
    }
    return new RingTree(timeout, n.get("minimumBid").asDouble(0, 0, 1_000_000), ringTreeTargets(n.get("targets")));
  }

  /** The targets of a ring tree (in sim.yaml, or a {@code targets} array in the request that plays a call). */
  static List<RingTreeTarget> ringTreeTargets(Node n) {
    List<RingTreeTarget> targets = new ArrayList<>();
    for (Node t : n.items()) {
      t.only("name", "url", "acceptUrl", "acceptTimeout", "headers");
      String url = t.get("url").text("");
      if (!url.matches("https?://.+")) {
        t.get("url").error("expected the http(s) URL Ringba pings, e.g. http://127.0.0.1:8080/v1/ring-tree/rt");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      t.get("headers").entries().forEach((k, v) -> headers.put(k, v.text("")));
      targets.add(new RingTreeTarget(t.get("name").text("target-" + (targets.size() + 1)), url,
          t.get("acceptUrl").text(url + "/accept"), t.get("acceptTimeout").asDuration(Duration.ofMillis(2000)),
          Map.copyOf(headers)));
    }
    return List.copyOf(targets);
  }

  /** Targets given with one call (JSON), checked as sim.yaml's are. */
  static List<RingTreeTarget> ringTreeTargets(Object json, String source) {
    List<String> errors = new ArrayList<>();
    List<RingTreeTarget> targets = ringTreeTargets(Node.root(Map.of("targets", json), errors).get("targets"));
    if (!errors.isEmpty()) {
      throw new Invalid(source, errors);
    }
    return targets;
  }

  private static Rtb rtb(Node n) {
    n.only("latency", "faults", "requireCallerId", "bidAmount", "noBidRate", "rejectCode", "expireInSeconds",
        "phoneNumbers", "sipDomain", "duration");
    int code = n.get("rejectCode").asInt(1003, 1000, 9999);
    if (!RingbaEndpoints.REJECT_REASONS.containsKey(code)) {
      n.get("rejectCode").error("not a Ringba reject code (one of " + RingbaEndpoints.REJECT_REASONS.keySet() + ")");
    }
    List<String> numbers = n.get("phoneNumbers").asStrings();
    for (String p : numbers) {
      if (!p.matches("\\+\\d{8,15}")) {
        n.get("phoneNumbers").error("'" + p + "' is not an E.164 number such as +17733408913");
      }
    }
    return new Rtb(behaviour(n), n.get("requireCallerId").asBool(true), amount(n.get("bidAmount"), 20),
        n.get("noBidRate").asDouble(0, 0, 1), code, n.get("expireInSeconds").asInt(60, 1, 86_400),
        numbers.isEmpty() ? List.of("+17733408913") : List.copyOf(numbers), n.get("sipDomain").text(""),
        n.get("duration").asInt(0, 0, 86_400));
  }

  private static Company company(Node n) {
    n.only("latency", "faults", "publicKey", "privateKey", "authToken", "postingInstructions", "knownCallIds", "ping");
    List<PostingInstruction> pis = new ArrayList<>();
    for (Node pi : n.get("postingInstructions").items()) {
      pi.only("leadToken", "trafficSourceId");
      String token = pi.get("leadToken").text("");
      String source = pi.get("trafficSourceId").text("");
      if (token.isEmpty() || source.isEmpty()) {
        pi.error("needs leadToken and trafficSourceId");
      }
      pis.add(new PostingInstruction(token, source));
    }
    Map<String, Ping> ping = new LinkedHashMap<>();
    n.get("ping").entries().forEach((vanity, p) -> {
      p.only("latency", "faults", "bid", "noBidRate", "pingSeconds", "number");
      ping.put(vanity, new Ping(behaviour(p), amount(p.get("bid"), 25), p.get("noBidRate").asDouble(0, 0, 1),
          p.get("pingSeconds").asInt(60, 1, 86_400), p.get("number").text("+18005550100")));
    });
    return new Company(behaviour(n), n.get("publicKey").text("demo-public"), n.get("privateKey").text("demo-private"),
        n.get("authToken").text(""), List.copyOf(pis), known(n.get("knownCallIds")), Map.copyOf(ping));
  }

  private static KnownIds known(Node n) {
    String v = n.text("any");
    if (v.equals("any") || v.equals("seen")) {
      return new KnownIds(v, null);
    }
    try {
      return new KnownIds("pattern", Pattern.compile(v));
    } catch (PatternSyntaxException e) {
      n.error("expected any, seen or a regular expression: " + e.getDescription());
      return KnownIds.ANY;
    }
  }

  private static Behaviour behaviour(Node n) {
    return new Behaviour(latency(n.get("latency")), faults(n.get("faults")));
  }

  private static Latency latency(Node n) {
    if (n.isMissing()) {
      return Latency.NONE;
    }
    n.only("fixed", "uniform", "logNormal");
    if (n.entries().size() != 1) {
      n.error("give exactly one of fixed, uniform, logNormal");
      return Latency.NONE;
    }
    if (!n.get("fixed").isMissing()) {
      Duration d = n.get("fixed").asDuration(Duration.ZERO);
      return new Latency("fixed", d, d, 0, d);
    }
    if (!n.get("uniform").isMissing()) {
      List<Node> ab = n.get("uniform").items();
      if (ab.size() != 2) {
        n.get("uniform").error("expected [min, max], e.g. [5ms, 50ms]");
        return Latency.NONE;
      }
      Duration a = ab.get(0).asDuration(Duration.ZERO);
      Duration b = ab.get(1).asDuration(Duration.ZERO);
      if (b.compareTo(a) < 0) {
        n.get("uniform").error("max is below min");
      }
      return new Latency("uniform", a, b, 0, b);
    }
    Node ln = n.get("logNormal");
    ln.only("median", "sigma", "max");
    Duration median = ln.get("median").asDuration(Duration.ofMillis(20));
    return new Latency("logNormal", median, median, ln.get("sigma").asDouble(0.5, 0, 5),
        ln.get("max").asDuration(Duration.ofSeconds(30)));
  }

  private static Faults faults(Node n) {
    if (n.isMissing()) {
      return Faults.NONE;
    }
    n.only("http500", "http429", "retryAfter", "reset", "hang", "hangFor", "script");
    double p500 = n.get("http500").asDouble(0, 0, 1);
    double p429 = n.get("http429").asDouble(0, 0, 1);
    double reset = n.get("reset").asDouble(0, 0, 1);
    double hang = n.get("hang").asDouble(0, 0, 1);
    if (p500 + p429 + reset + hang > 1.0000001) {
      n.error("the fault probabilities add up to more than 1");
    }
    List<Fault> script = new ArrayList<>();
    for (String s : n.get("script").asStrings()) {
      try {
        script.add(Fault.valueOf(s.toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        n.get("script").error("unknown fault '" + s + "' (expected ok, http500, http429, reset, hang, error200)");
      }
    }
    return new Faults(p500, p429, n.get("retryAfter").asDuration(Duration.ofSeconds(1)), reset, hang,
        n.get("hangFor").asDuration(Duration.ofMinutes(5)), List.copyOf(script));
  }

  private static Amount amount(Node n, double fallback) {
    if (n.isMissing()) {
      return new Amount("fixed", fallback, fallback);
    }
    if (!(n.raw() instanceof Map)) {
      double v = n.asDouble(fallback, 0, 1_000_000);
      return new Amount("fixed", v, v);
    }
    n.only("fixed", "uniform", "normal");
    if (!n.get("fixed").isMissing()) {
      double v = n.get("fixed").asDouble(fallback, 0, 1_000_000);
      return new Amount("fixed", v, v);
    }
    if (!n.get("uniform").isMissing()) {
      List<Node> ab = n.get("uniform").items();
      if (ab.size() != 2) {
        n.get("uniform").error("expected [min, max], e.g. [5.0, 40.0]");
        return new Amount("fixed", fallback, fallback);
      }
      return new Amount("uniform", ab.get(0).asDouble(0, 0, 1_000_000), ab.get(1).asDouble(0, 0, 1_000_000));
    }
    Node nd = n.get("normal");
    nd.only("mean", "sd");
    return new Amount("normal", nd.get("mean").asDouble(fallback, 0, 1_000_000), nd.get("sd").asDouble(0, 0, 1_000_000));
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
