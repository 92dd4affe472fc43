package io.callbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.Gateway;
import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps grafana/ honest: every metric the dashboard and the alert rules query exists in a real
 * /metrics scrape of a running CallBridge (conf/demo.yaml's routes against the simulators, one
 * request through each route so lazily registered meters exist), the rules file and the dashboard
 * have the structure Prometheus and Grafana need, and — where promtool is installed (Debian's
 * {@code prometheus} package) — promtool accepts the rules and every dashboard query.
 *
 * <p>A flow that is not in this build yet registers no meters: the names of its family (see
 * {@link #FAMILIES}) are listed as unverified on stderr instead of failing, and are checked as soon
 * as the class that registers them is on the classpath.
 */
class DashboardAndAlertsTest {
  static final Path DASHBOARD = Path.of("grafana/dashboards/callbridge.json");
  static final Path RULES = Path.of("grafana/prometheus/callbridge-alerts.yml");
  static final Path SCRAPE_CONFIG = Path.of("grafana/prometheus/prometheus.yml");

  /** Metric name prefix -> the class that registers those meters (absent until its flow is merged). */
  static final Map<String, String> FAMILIES = new LinkedHashMap<>();

  static {
    FAMILIES.put("callbridge_upstream_", "io.callbridge.upstream.Upstream");
    FAMILIES.put("callbridge_correlation_", "io.callbridge.correlation.CorrelationMetrics");
    FAMILIES.put("callbridge_ping_", "io.callbridge.flow.ping.PingMetrics");
    FAMILIES.put("callbridge_enrich_", "io.callbridge.flow.enrich.EnrichMetrics");
    FAMILIES.put("callbridge_lead_", "io.callbridge.flow.lead.LeadMetrics");
    FAMILIES.put("callbridge_ring_tree_", "io.callbridge.flow.ringtree.RingTreeMetrics");
    FAMILIES.put("callbridge_postback_", "io.callbridge.outbox.OutboxMetrics");
    FAMILIES.put("callbridge_outbox_", "io.callbridge.outbox.OutboxMetrics");
  }

  /** Series Prometheus itself makes (scrape and blackbox probe), never in CallBridge's /metrics. */
  static final Set<String> PROMETHEUS_BUILT_INS = Set.of("up", "probe_success", "probe_duration_seconds",
      "probe_http_status_code", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added");

  /** PromQL functions, aggregations and keywords: identifiers that are not metric names. */
  static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk",
      "bottomk", "quantile", "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
      "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta", "deriv",
      "histogram_quantile", "clamp_min", "clamp_max", "clamp", "vector", "scalar", "abs", "absent", "absent_over_time",
      "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "last_over_time",
      "quantile_over_time", "changes", "resets", "label_replace", "label_join", "time", "timestamp", "round", "ceil",
      "floor", "sort", "sort_desc", "predict_linear", "inf", "nan", "e");

  static PostgresConfig db;
  static Vertx simVertx;
  static Simulator sim;
  static Gateway gateway;
  static String base;
  static Set<String> scraped;

  @BeforeAll
  static void start() throws Exception {
    db = TestDb.freshSchema(DashboardAndAlertsTest.class);
    simVertx = Vertx.vertx();
    sim = Simulator.start(simVertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    String yaml = Files.readString(Path.of("conf/demo.yaml"));
    CallBridgeConfig parsed = TestConfigs.parse(yaml, Map.of("CALLBRIDGE_SIM_PORT", Integer.toString(sim.port())));
    CallBridgeConfig config = parsed.withServer(parsed.server().withPorts(0, 0)).withPostgres(db);
    gateway = Gateway.start(config).await();
    base = "http://127.0.0.1:" + gateway.publicPort();
    driveEveryRoute();
    scraped = awaitScrape();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop().await();
    }
    if (sim != null) {
      sim.close().await();
    }
    if (simVertx != null) {
      simVertx.close().await();
    }
    if (db != null) {
      TestDb.drop(db);
    }
  }

  /** One call through each route of conf/demo.yaml, as the platforms send them (any answer will do). */
  static void driveEveryRoute() {
    Map<String, String> json = Map.of("X-CallBridge-Token", "demo");
    String call = "{\"caller_id\":\"+13122345678\",\"call_uuid\":\"TD-OBS-1\",\"subdomain\":\"demo\",\"zip\":\"60601\",\"state\":\"IL\"}";
    Http.post(base + "/v1/enrich/td-enrich", "application/json", call, json);
    Http.post(base + "/v1/ping/td-ping", "application/json", call, json);
    Http.get(base + "/v1/leads/ringba-lead?token=demo&caller_id=%2B13122345678&inbound_call_id=RGBOBS1", Map.of());
    String payout = base + "/v1/postbacks/ringba-payout?token=demo&trackdrive_call_uuid=TD-OBS-1"
        + "&trackdrive_subdomain=demo&payout=10&revenue=12.5&converted=true";
    Http.get(payout, Map.of());
    Http.get(payout, Map.of()); // the duplicate
    Http.get(base + "/v1/postbacks/ringba-payout?token=demo", Map.of()); // refused: no call id
    Http.post(base + "/v1/postbacks/td-conversion", "application/json",
        "{\"ringba_call_uuid\":\"RGBOBS1\",\"revenue\":12.5}", json);
    String ringTree = Http.post(base + "/v1/ring-tree/ringba-ring-tree", "application/json",
        "{\"CID\":\"+13122345678\",\"inboundCallId\":\"RGBOBS2\"}", json).body();
    Http.post(base + "/v1/ring-tree/ringba-ring-tree/accept", "application/json", new JsonObject()
        .put("bidId", new JsonObject(ringTree).getString("bidId", "none")).put("CID", "+13122345678").encode(), json);
    Http.get(base + "/v1/nowhere", Map.of());
  }

  /**
   * The scrape once the asynchronous meters (delivery attempts, delivery delay, GC pauses) had
   * their chance to appear: at most 15 s, then whatever is there.
   */
  static Set<String> awaitScrape() {
    System.gc(); // jvm_gc_pause_seconds appears with the first GC
    java.util.concurrent.atomic.AtomicReference<Set<String>> last = new java.util.concurrent.atomic.AtomicReference<>(Set.of());
    try {
      return Eventually.value("the asynchronous meters", java.time.Duration.ofSeconds(15), () -> {
        Set<String> names = sampleNames(Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics", Map.of()).body());
        last.set(names);
        boolean deliveriesPending = present("callbridge_outbox_") && !(names.contains("callbridge_outbox_attempts_total")
            && names.contains("callbridge_outbox_delivery_delay_seconds_bucket"));
        return !deliveriesPending && names.contains("jvm_gc_pause_seconds_count") ? java.util.Optional.of(names)
            : java.util.Optional.empty();
      });
    } catch (AssertionError notAll) {
      return last.get(); // then whatever is there: the checks below name what is missing
    }
  }

  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  static boolean present(String metricPrefix) {
    String owner = FAMILIES.get(metricPrefix);
    try {
      Class.forName(owner, false, DashboardAndAlertsTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The family prefix a name belongs to, or null for core meters (route, Vert.x, JVM). */
  static String family(String metric) {
    return FAMILIES.keySet().stream().filter(metric::startsWith).findFirst().orElse(null);
  }

  // ------------------------------------------------------------------------------------------
  // the queries

  static JsonObject dashboard() throws IOException {
    return new JsonObject(Files.readString(DASHBOARD));
  }

  /** Every panel (rows' collapsed panels too). */
  static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> out = new ArrayList<>();
    for (Object o : dashboard.getJsonArray("panels")) {
      JsonObject p = (JsonObject) o;
      out.add(p);
      for (Object c : p.getJsonArray("panels", new JsonArray())) {
        out.add((JsonObject) c);
      }
    }
    return out;
  }

  /** panel title -> its PromQL expressions. */
  static Map<String, List<String>> dashboardQueries() throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    for (JsonObject p : panels(dashboard())) {
      for (Object t : p.getJsonArray("targets", new JsonArray())) {
        out.computeIfAbsent(p.getString("title"), k -> new ArrayList<>()).add(((JsonObject) t).getString("expr"));
      }
    }
    return out;
  }

  /** The metrics the template variables read: label_values(metric{...}, label). */
  static List<String> variableMetrics() throws IOException {
    List<String> out = new ArrayList<>();
    Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    for (Object o : dashboard().getJsonObject("templating").getJsonArray("list")) {
      JsonObject v = (JsonObject) o;
      if ("query".equals(v.getString("type"))) {
        Object q = v.getValue("query");
        String text = q instanceof JsonObject j ? j.getString("query") : String.valueOf(q);
        Matcher m = labelValues.matcher(text);
        assertThat(m.find()).as("variable %s's query %s", v.getString("name"), text).isTrue();
        out.add(m.group(1));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rules() throws IOException {
    Map<String, Object> doc = new Yaml().load(Files.readString(RULES));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> g : (List<Map<String, Object>>) doc.get("groups")) {
      out.addAll((List<Map<String, Object>>) g.get("rules"));
    }
    return out;
  }

  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*]");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENT = Pattern.compile("(?<![A-Za-z0-9_:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  /** The metric names a PromQL expression selects (not functions, keywords, labels or durations). */
  static Set<String> metricNames(String expr) {
    String s = STRINGS.matcher(expr).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGES.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String id = m.group(1);
      if (m.group(2) != null || PROMQL_WORDS.contains(id)) {
        continue; // a function call or a keyword
      }
      names.add(id);
    }
    return names;
  }

  // ------------------------------------------------------------------------------------------
  // the tests

  @Test
  void theNameExtractionReadsPromQl() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (le, route) (rate(callbridge_route_latency_seconds_bucket"
        + "{instance=~\"$instance\",route=~\"a|b\"}[$__rate_interval])))"))
        .containsExactly("callbridge_route_latency_seconds_bucket");
    assertThat(metricNames("count(callbridge_upstream_breaker_state{x=\"2\"} == 2) or vector(0)"))
        .containsExactly("callbridge_upstream_breaker_state");
    assertThat(metricNames("sum(rate(a_total[5m])) / clamp_min(sum(rate(b_count[5m])), 1e-9) > 0.05"))
        .containsExactly("a_total", "b_count");
    assertThat(metricNames("max by (instance) (delta(callbridge_outbox_depth{status=\"dead\"}[30m])) > 0 unless on(instance) up"))
        .containsExactly("callbridge_outbox_depth", "up");
  }

  @Test
  void everyMetricTheDashboardAndTheRulesUseExistsInARealScrape() throws IOException {
    Map<String, Set<String>> usedBy = new TreeMap<>();
    dashboardQueries().forEach((panel, exprs) -> exprs.forEach(e -> metricNames(e)
        .forEach(n -> usedBy.computeIfAbsent(n, k -> new TreeSet<>()).add("dashboard panel '" + panel + "'"))));
    variableMetrics().forEach(n -> usedBy.computeIfAbsent(n, k -> new TreeSet<>()).add("dashboard variable"));
    for (Map<String, Object> r : rules()) {
      metricNames(String.valueOf(r.get("expr")))
          .forEach(n -> usedBy.computeIfAbsent(n, k -> new TreeSet<>()).add("alert " + r.get("alert")));
    }
    assertThat(usedBy).as("metric names found in the dashboard and the rules").hasSizeGreaterThan(30);

    List<String> missing = new ArrayList<>();
    Map<String, List<String>> unverified = new TreeMap<>();
    Set<String> verified = new TreeSet<>();
    for (var e : usedBy.entrySet()) {
      String name = e.getKey();
      if (PROMETHEUS_BUILT_INS.contains(name)) {
        continue;
      }
      String family = family(name);
      if (family != null && !present(family)) {
        unverified.computeIfAbsent(FAMILIES.get(family), k -> new ArrayList<>()).add(name);
        continue;
      }
      if (scraped.contains(name)) {
        verified.add(name);
      } else {
        missing.add(name + " (used by " + String.join(", ", e.getValue()) + ")");
      }
    }
    System.err.println("DashboardAndAlertsTest: " + verified.size() + " metric names verified against /metrics");
    unverified.forEach((owner, names) -> System.err.println("DashboardAndAlertsTest: UNVERIFIED (" + owner
        + " is not in this build yet): " + String.join(", ", names)));
    assertThat(missing).as("metric names in grafana/ that a running CallBridge does not expose "
        + "(exposed: " + scraped.stream().filter(n -> n.startsWith("callbridge_")).toList() + ")").isEmpty();
  }

  @Test
  void theRulesFileHasTheStructurePrometheusNeeds() throws IOException {
    Map<String, Object> doc = new Yaml().load(Files.readString(RULES));
    assertThat(doc).containsOnlyKeys("groups");
    Set<String> groups = new HashSet<>();
    Set<String> alerts = new HashSet<>();
    Pattern duration = Pattern.compile("^([0-9]+(ms|s|m|h|d|w|y))+$");
    for (Object g : (List<?>) doc.get("groups")) {
      Map<?, ?> group = (Map<?, ?>) g;
      assertThat(group.get("name")).as("group name").isInstanceOf(String.class);
      assertThat(groups.add((String) group.get("name"))).as("group %s is unique", group.get("name")).isTrue();
      List<?> rules = (List<?>) group.get("rules");
      assertThat(rules).as("rules of %s", group.get("name")).isNotEmpty();
      for (Object o : rules) {
        Map<?, ?> rule = (Map<?, ?>) o;
        assertThat(new ArrayList<Object>(rule.keySet())).as("rule %s", rule).isSubsetOf(List.of("alert", "expr", "for", "labels", "annotations",
            "keep_firing_for"));
        String name = (String) rule.get("alert");
        assertThat(name).as("every rule is an alert with a CamelCase name").matches("[A-Z][A-Za-z0-9]+");
        assertThat(alerts.add(name)).as("alert %s is unique", name).isTrue();
        assertThat(rule.get("expr")).as("%s expr", name).isInstanceOf(String.class);
        assertThat(((String) rule.get("expr")).isBlank()).as("%s expr", name).isFalse();
        if (rule.containsKey("for")) {
          assertThat(String.valueOf(rule.get("for"))).as("%s for", name).matches(duration);
        }
        Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
        assertThat(labels.get("severity")).as("%s severity", name).isIn("critical", "warning", "info");
        Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
        assertThat(annotations.get("summary")).as("%s summary", name).isNotNull();
        assertThat(annotations.get("description")).as("%s description", name).isNotNull();
      }
    }
    assertThat(alerts).as("the alerts the issue asks for").contains("CallBridgeBreakerOpenTooLong",
        "CallBridgeOutboxOldestPendingTooOld", "CallBridgeDeadPostbacksIncreasing", "CallBridgePingP99OverBudget",
        "CallBridgeNotReady", "CallBridgeDown");
  }

  @Test
  void theDashboardIsImportable() throws IOException {
    JsonObject d = dashboard();
    assertThat(d.getString("uid")).isNotBlank();
    assertThat(d.getString("title")).isNotBlank();
    assertThat(d.getInteger("schemaVersion")).isGreaterThanOrEqualTo(36);
    assertThat(d.getValue("id")).as("no instance-specific id (import assigns one)").isNull();
    Set<Integer> ids = new HashSet<>();
    List<String> rows = new ArrayList<>();
    for (JsonObject p : panels(d)) {
      assertThat(ids.add(p.getInteger("id"))).as("panel id %s is unique", p.getInteger("id")).isTrue();
      JsonObject grid = p.getJsonObject("gridPos");
      assertThat(grid).as("gridPos of %s", p.getString("title")).isNotNull();
      assertThat(grid.getInteger("x") + grid.getInteger("w")).as("%s fits 24 columns", p.getString("title"))
          .isLessThanOrEqualTo(24);
      if ("row".equals(p.getString("type"))) {
        rows.add(p.getString("title"));
        continue;
      }
      assertThat(p.getJsonObject("datasource").getString("uid")).as("%s datasource", p.getString("title"))
          .isEqualTo("${datasource}");
      JsonArray targets = p.getJsonArray("targets");
      assertThat(targets).as("%s queries", p.getString("title")).isNotEmpty();
      for (Object t : targets) {
        assertThat(((JsonObject) t).getString("expr")).as("%s query", p.getString("title")).isNotBlank();
      }
    }
    assertThat(String.join("|", rows)).as("the rows the issue asks for")
        .contains("Routes", "Destinations", "Ping", "Enrich", "leads", "Postbacks", "Correlation", "JVM");
  }

  @Test
  void theProvisioningFilesPointAtTheDashboardFolderAndAPrometheus() throws IOException {
    Map<String, Object> ds = new Yaml().load(Files.readString(Path.of("grafana/provisioning/datasources/callbridge-prometheus.yaml")));
    assertThat(ds.get("apiVersion")).isEqualTo(1);
    assertThat(String.valueOf(ds.get("datasources"))).contains("type=prometheus");
    Map<String, Object> dash = new Yaml().load(Files.readString(Path.of("grafana/provisioning/dashboards/callbridge.yaml")));
    assertThat(dash.get("apiVersion")).isEqualTo(1);
    assertThat(String.valueOf(dash.get("providers"))).contains("type=file", "path=");
    Map<String, Object> prom = new Yaml().load(Files.readString(SCRAPE_CONFIG));
    assertThat(String.valueOf(prom.get("rule_files"))).contains(RULES.getFileName().toString());
    assertThat(String.valueOf(prom.get("scrape_configs"))).contains("job_name=callbridge", "metrics_path=/metrics");
  }

  // ------------------------------------------------------------------------------------------
  // promtool, where installed

  /**
   * promtool (bin/callbridge test installs Debian's prometheus package where it can). On CI a missing
   * promtool fails the test, so the checks can never be skipped without anyone noticing; elsewhere it
   * is skipped with the reason.
   */
  static Path promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("promtool is not installed and this is CI: bin/callbridge test installs it "
          + "(apt-get install -y prometheus) when it runs as root with apt-get; install it on this machine");
    }
    Assumptions.abort("promtool is not installed (apt-get install -y prometheus): the promtool checks did not run");
    return null;
  }

  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s said:\n%s", String.join(" ", command), out).isZero();
    return out;
  }

  @Test
  void promtoolAcceptsTheRulesAndTheScrapeConfig() throws Exception {
    Path promtool = promtool();
    run(Path.of("."), promtool.toString(), "check", "rules", RULES.toString());
    run(SCRAPE_CONFIG.getParent(), promtool.toString(), "check", "config", "--syntax-only",
        SCRAPE_CONFIG.getFileName().toString());
  }

  @Test
  void promtoolAcceptsEveryDashboardQuery() throws Exception {
    Path promtool = promtool();
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (var e : dashboardQueries().entrySet()) {
      for (String expr : e.getValue()) {
        String promql = expr.replace("$__rate_interval", "5m").replace("$instance", ".*").replace("$route", ".*")
            .replace("$destination", ".*");
        rules.append("      - record: dashboard:query_").append(i++).append('\n')
            .append("        expr: ").append(new JsonObject().put("e", promql).encode().replaceFirst("^\\{\"e\":", "")
                .replaceFirst("}$", "")).append('\n');
      }
    }
    Path file = Files.createTempFile("callbridge-dashboard-queries", ".yml");
    try {
      Files.writeString(file, rules);
      String out = run(Path.of("."), promtool.toString(), "check", "rules", file.toString());
      assertThat(out).contains(i + " rules found");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void promtoolEvaluatesTheAlertRulesOnTheirUnitTests() throws Exception {
    Path promtool = promtool();
    String out = run(RULES.getParent(), promtool.toString(), "test", "rules", "callbridge-alerts.test.yml");
    assertThat(out).contains("SUCCESS");
  }

  /** Prometheus itself, from the same Debian package as promtool. */
  static Path prometheus() {
    Path p = promtool().resolveSibling("prometheus");
    if (Files.isExecutable(p)) {
      return p;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("prometheus is not installed beside promtool and this is CI: apt-get install -y prometheus");
    }
    Assumptions.abort("prometheus is not installed (apt-get install -y prometheus): the live-scrape check did not run");
    return null;
  }

  /**
   * A real Prometheus scrapes the running gateway every second with the shipped alert rules loaded:
   * every dashboard query answers without error and never with NaN (an idle route's quantile is
   * dropped, not drawn), the "Server errors" stat is a number (0 here), and every alert rule
   * evaluates healthy against the live series.
   */
  @Test
  void aRealPrometheusScrapingTheGatewayShowsNumbersNotNoDataOrNaN() throws Exception {
    Path prometheus = prometheus();
    Path dir = Files.createTempDirectory("callbridge-prometheus");
    Files.copy(RULES, dir.resolve("callbridge-alerts.yml"));
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Files.writeString(dir.resolve("prometheus.yml"), """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: [ callbridge-alerts.yml ]
        scrape_configs:
          - job_name: callbridge
            static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
        """.formatted(gateway.adminPort()));
    Process p = new ProcessBuilder(prometheus.toString(), "--config.file=prometheus.yml", "--storage.tsdb.path=data",
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    String api = "http://127.0.0.1:" + port + "/api/v1/";
    try {
      // Five scrapes: enough samples for a 4 s rate window.
      Eventually.value("Prometheus scraped the gateway 5 times (its log: " + dir.resolve("prometheus.log") + ")",
          java.time.Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
              throw new AssertionError("prometheus exited: " + read(dir.resolve("prometheus.log")));
            }
            try {
              JsonArray r = query(api, "count_over_time(up{job=\"callbridge\"}[1m])");
              return r.size() == 1 && Double.parseDouble(r.getJsonObject(0).getJsonArray("value").getString(1)) >= 5
                  ? java.util.Optional.of(r) : java.util.Optional.empty();
            } catch (IllegalStateException notYet) {
              return java.util.Optional.empty();
            }
          });
      for (var panel : dashboardQueries().entrySet()) {
        for (String expr : panel.getValue()) {
          String promql = expr.replace("$__rate_interval", "4s").replace("$instance", ".*").replace("$route", ".*")
              .replace("$destination", ".*");
          for (Object sample : query(api, promql)) {
            String value = ((JsonObject) sample).getJsonArray("value").getString(1);
            assertThat(value).as("panel '%s': %s", panel.getKey(), promql).isNotIn("NaN", "+Inf", "-Inf");
          }
        }
      }
      JsonArray serverErrors = query(api, dashboardQueries().get("Server errors").get(0)
          .replace("$__rate_interval", "4s").replace("$instance", ".*"));
      assertThat(serverErrors).as("the Server errors stat has a value, not No data").hasSize(1);
      assertThat(Double.parseDouble(serverErrors.getJsonObject(0).getJsonArray("value").getString(1))).isZero();
      JsonObject rules = Eventually.value("every rule evaluated", java.time.Duration.ofSeconds(30), () -> {
        JsonObject body = Http.get(api + "rules", Map.of()).json();
        boolean evaluated = body.getJsonObject("data").getJsonArray("groups").stream()
            .flatMap(g -> ((JsonObject) g).getJsonArray("rules").stream())
            .allMatch(r -> ((JsonObject) r).getString("lastEvaluation", "").compareTo("2000") > 0);
        return evaluated ? java.util.Optional.of(body) : java.util.Optional.empty();
      });
      List<String> unhealthy = new ArrayList<>();
      for (Object g : rules.getJsonObject("data").getJsonArray("groups")) {
        for (Object r : ((JsonObject) g).getJsonArray("rules")) {
          JsonObject rule = (JsonObject) r;
          if (!"ok".equals(rule.getString("health"))) {
            unhealthy.add(rule.getString("name") + ": " + rule.getString("lastError"));
          }
        }
      }
      assertThat(unhealthy).as("alert rules that failed to evaluate").isEmpty();
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static JsonArray query(String api, String promql) {
    Http.Response r = Http.get(api + "query?query=" + java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8),
        Map.of());
    if (r.status() == 503) {
      throw new IllegalStateException("Prometheus is still starting");
    }
    if (r.status() != 200) {
      throw new AssertionError("Prometheus refused " + promql + ": " + r.status() + " " + r.body());
    }
    return r.json().getJsonObject("data").getJsonArray("result");
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable)";
    }
  }
}
