package io.callbridge.reconcile;

import io.callbridge.config.DestinationConfig;
import io.callbridge.config.ReconcileConfig;
import io.callbridge.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds every call of a window whose money differs between Ringba and TrackDrive. Both platforms'
 * own records are read a page at a time into {@code reconcile_row} — TrackDrive's calls API
 * ({@code GET /api/v1/calls}, cursoring, per company) and Ringba's call log ({@code POST
 * /v2/{accountId}/calllogs}, size/offset) — so memory holds one page, never the window; then one
 * query ({@link ReconcileSql#MISMATCHES}) joins the sides through the ids each keeps of the other and
 * through correlation, and names each mismatch with what CallBridge received and sent for the call.
 * A 429 or 5xx is retried after its {@code Retry-After} (or 1, 2, 4, 8 s), up to 5 times a page.
 */
public final class Reconciler {
  static final DateTimeFormatter TD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");
  private static final int ATTEMPTS = 5;
  /**
   * Each side is read this far beyond the window: the platforms stamp one call seconds apart, and
   * TrackDrive's window is in whole seconds. Only calls of the window itself are compared.
   */
  static final java.time.Duration MARGIN = java.time.Duration.ofMinutes(10);

  private final Vertx vertx;
  private final Pool pool;
  private final ReconcileConfig config;
  private final DestinationConfig trackDrive;
  private final HttpClient client;
  private final ReconcileMetrics metrics;
  /** When each platform's next request may start (System.nanoTime), for {@code requestsPerSecond}. */
  private final java.util.concurrent.atomic.AtomicLong trackDriveNext = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
  private final java.util.concurrent.atomic.AtomicLong ringbaNext = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  public Reconciler(Vertx vertx, Pool pool, ReconcileConfig config, DestinationConfig trackDrive) {
    this(vertx, pool, config, trackDrive, null);
  }

  /** With {@code metrics} (null: none) updated after each run. */
  public Reconciler(Vertx vertx, Pool pool, ReconcileConfig config, DestinationConfig trackDrive,
      ReconcileMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.trackDrive = trackDrive;
    // Its own client: reports are long, paced reads that must not take the delivery pools' connections.
    this.client = vertx.createHttpClient(new HttpClientOptions().setTrustAll(trackDrive.simulator())
        .setVerifyHost(!trackDrive.simulator()).setConnectTimeout(5_000).setIdleTimeout(60));
  }

  /** One run over [from, to): reads both sides, compares, keeps the run's row counts. */
  public Future<Report> run(Instant from, Instant to) {
    return pool.preparedQuery(ReconcileSql.START).execute(Tuple.of(utc(from), utc(to)))
        .map(rows -> rows.iterator().next().getLong("id"))
        .compose(runId -> run(runId, from, to));
  }

  /**
   * The schedule's run over [from, to), unless another instance of the deployment (or this one)
   * started one less than half of {@code every} ago: then nothing (an empty result). So a fleet whose
   * every instance has {@code reconcile.schedule} reconciles once a period, whoever's tick comes first.
   */
  public Future<java.util.Optional<Report>> runScheduled(Instant from, Instant to, java.time.Duration every) {
    double recent = every.toMillis() / 2000.0;
    return pool.withTransaction(conn -> conn.query(ReconcileSql.CLAIM_LOCK).execute()
            .compose(x -> conn.preparedQuery(ReconcileSql.CLAIM).execute(Tuple.of(utc(from), utc(to), recent))))
        .compose(rows -> rows.iterator().hasNext()
            ? run(rows.iterator().next().getLong("id"), from, to).map(java.util.Optional::of)
            : Future.succeededFuture(java.util.Optional.empty()));
  }

  private Future<Report> run(long runId, Instant from, Instant to) {
    // One platform after the other: reading both at once measured slower on 2 CPUs (33.6 s against
    // 28.1 s for 100,000 calls, docs/benchmarks.md), and each stays at its own pace.
    return readTrackDrive(runId, from.minus(MARGIN), to.plus(MARGIN))
        .compose(tdRows -> readRingba(runId, from.minus(MARGIN), to.plus(MARGIN), 0, 0))
        .compose(rbRows -> compare(runId, from, to))
        .recover(err -> pool.preparedQuery(ReconcileSql.FAILED).execute(Tuple.of(runId, String.valueOf(err.getMessage())))
            .compose(x -> Future.<Report>failedFuture(err)))
        .onSuccess(report -> {
          if (metrics != null) {
            metrics.finished(report, Instant.now().getEpochSecond());
          }
        })
        .onFailure(err -> {
          if (metrics != null) {
            metrics.failed();
          }
        });
  }

  /** The last runs, newest first, for the admin API. */
  public Future<JsonArray> runs(int limit) {
    return pool.preparedQuery(ReconcileSql.RUNS).execute(Tuple.of(limit)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("id", r.getLong("id")).put("startedAt", ts(r.getOffsetDateTime("started_at")))
            .put("from", ts(r.getOffsetDateTime("window_from"))).put("to", ts(r.getOffsetDateTime("window_to")))
            .put("finishedAt", ts(r.getOffsetDateTime("finished_at"))).put("trackdriveCalls", r.getInteger("trackdrive_rows"))
            .put("ringbaCalls", r.getInteger("ringba_rows")).put("mismatches", r.getInteger("mismatches"))
            .put("error", r.getString("error")));
      }
      return out;
    });
  }

  private static String ts(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  public Future<Void> close() {
    return client.close();
  }

  // ---- TrackDrive -----------------------------------------------------------------------------

  private Future<Integer> readTrackDrive(long runId, Instant from, Instant to) {
    List<String> companies = trackDrive.subdomains().isEmpty() ? List.of("") : trackDrive.subdomains();
    Future<Integer> total = Future.succeededFuture(0);
    for (String company : companies) {
      total = total.compose(n -> trackDrivePages(runId, company, from, to, -1, 0).map(m -> n + m));
    }
    return total;
  }

  private Future<Integer> trackDrivePages(long runId, String company, Instant from, Instant to, long cursor, int seen) {
    String host = company.isEmpty() ? trackDrive.baseUrl().getHost() : trackDrive.hostFor(company).orElseThrow();
    String uri = prefix() + "/api/v1/calls?cursor=" + cursor + "&per_page=" + config.trackDrivePerPage()
        + "&created_at_from=" + enc(TD_TIME.format(from.atOffset(ZoneOffset.UTC)))
        + "&created_at_to=" + enc(TD_TIME.format(to.atOffset(ZoneOffset.UTC)))
        + "&columns=uuid,created_at,revenue,payout,buyer_converted,ringba_call_uuid";
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost(connectHost(host))
        .setPort(trackDrive.port()).setSsl(trackDrive.tls()).setURI(uri).putHeader("Accept", "application/json");
    if (trackDrive.simulator() || !company.isEmpty()) {
      req.putHeader("Host", host);
    }
    for (Map.Entry<String, Secret> h : trackDrive.headers().entrySet()) {
      req.putHeader(h.getKey(), h.getValue().value());
    }
    return paced(trackDriveNext, config.trackDriveRequestsPerSecond(), () -> send(req, null, 1)).compose(body -> {
      JsonArray calls = body.getJsonArray("calls", new JsonArray());
      List<Object[]> rows = new ArrayList<>();
      for (Object o : calls) {
        JsonObject c = (JsonObject) o;
        rows.add(new Object[] {c.getString("uuid"), company, c.getString("ringba_call_uuid"), time(c.getValue("created_at")),
            amount(c.getValue("revenue")), amount(c.getValue("payout")), flag(c.getValue("buyer_converted"))});
      }
      long next = body.getJsonObject("metadata", new JsonObject()).getLong("next_cursor", 0L);
      return insert(runId, "T", rows).compose(x -> next == 0 || calls.isEmpty() ? Future.succeededFuture(seen + rows.size())
          : trackDrivePages(runId, company, from, to, next, seen + rows.size()));
    });
  }

  private String prefix() {
    String p = trackDrive.baseUrl().getRawPath();
    return p == null || p.equals("/") ? "" : p.replaceAll("/+$", "");
  }

  /** A simulator destination connects to its baseUrl and names the company in Host. */
  private String connectHost(String companyHost) {
    return trackDrive.simulator() ? trackDrive.baseUrl().getHost() : companyHost;
  }

  // ---- Ringba ---------------------------------------------------------------------------------

  private Future<Integer> readRingba(long runId, Instant from, Instant to, int offset, int seen) {
    var base = config.ringbaBaseUrl();
    boolean tls = "https".equals(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    String path = (base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "")) + "/v2/"
        + enc(config.ringbaAccountId()) + "/calllogs";
    JsonObject body = new JsonObject().put("reportStart", from.toString()).put("reportEnd", to.toString())
        .put("offset", offset).put("size", config.ringbaPageSize());
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost()).setPort(port).setSsl(tls)
        .setURI(path).putHeader("Content-Type", "application/json").putHeader("Accept", "application/json")
        .putHeader("Authorization", "Token " + config.ringbaApiToken().value());
    return paced(ringbaNext, config.ringbaRequestsPerSecond(), () -> send(req, body.toBuffer(), 1)).compose(answer -> {
      JsonObject report = answer.getJsonObject("report", new JsonObject());
      JsonArray records = report.getJsonArray("records", new JsonArray());
      int total = report.getInteger("totalCount", 0);
      List<Object[]> rows = new ArrayList<>();
      for (Object o : records) {
        JsonObject r = (JsonObject) o;
        rows.add(new Object[] {r.getString("inboundCallId"), null, r.getString("tag:User:trackdrive_call_uuid"),
            time(r.getValue("callDt")), amount(r.getValue("conversionAmount")), amount(r.getValue("payoutAmount")),
            flag(r.getValue("hasConverted"))});
      }
      int next = offset + records.size();
      return insert(runId, "R", rows).compose(x -> records.isEmpty() || next >= total
          ? Future.succeededFuture(seen + rows.size()) : readRingba(runId, from, to, next, seen + rows.size()));
    });
  }

  // ---- shared ---------------------------------------------------------------------------------

  /** Starts {@code request} no sooner than {@code perSecond} allows after the platform's previous one. */
  private Future<JsonObject> paced(java.util.concurrent.atomic.AtomicLong next, double perSecond,
      java.util.function.Supplier<Future<JsonObject>> request) {
    long gap = (long) (1e9 / perSecond);
    long now = System.nanoTime();
    long at = next.getAndUpdate(n -> Math.max(n, now) + gap);
    long waitMs = (Math.max(at, now) - now) / 1_000_000;
    if (waitMs < 1) {
      return request.get();
    }
    Promise<JsonObject> done = Promise.promise();
    later(waitMs, request, done);
    return done.future();
  }

  /** One request; a 429, a 5xx or a failed connection is tried again, politely, up to 5 times. */
  private Future<JsonObject> send(RequestOptions req, Buffer body, int attempt) {
    Promise<JsonObject> done = Promise.promise();
    client.request(req).compose(r -> body == null ? r.send() : r.send(body))
        .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), resp.getHeader("Retry-After"), b}))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            int status = (Integer) ar.result()[0];
            Buffer b = (Buffer) ar.result()[2];
            if (status / 100 == 2) {
              try {
                done.complete(b.toJsonObject());
              } catch (RuntimeException e) {
                done.fail(new IllegalStateException(req.getURI() + " answered " + status + " with no JSON object"));
              }
              return;
            }
            if ((status == 429 || status >= 500) && attempt < ATTEMPTS) {
              later(retryAfter((String) ar.result()[1], attempt), () -> send(req, body, attempt + 1), done);
              return;
            }
            String text = b.toString(StandardCharsets.UTF_8);
            done.fail(new IllegalStateException(req.getHost() + req.getURI().replaceAll("\\?.*", "") + " answered " + status
                + ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text)));
          } else if (attempt < ATTEMPTS) {
            later(retryAfter(null, attempt), () -> send(req, body, attempt + 1), done);
          } else {
            done.fail(ar.cause());
          }
        });
    return done.future();
  }

  private void later(long ms, java.util.function.Supplier<Future<JsonObject>> again, Promise<JsonObject> done) {
    vertx.setTimer(ms, t -> again.get().onComplete(done));
  }

  private static long retryAfter(String header, int attempt) {
    if (header != null) {
      try {
        return Math.min(60_000, Math.max(0, Long.parseLong(header.trim())) * 1000);
      } catch (NumberFormatException ignored) {
        // an HTTP date or garbage: back off instead
      }
    }
    return 1000L << (attempt - 1);
  }

  /** A page's rows in one statement (unnest of arrays): nothing accumulates in memory. */
  private Future<Void> insert(long runId, String side, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = rows.size();
    String[] ids = new String[n];
    String[] subs = new String[n];
    String[] others = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    // Amounts as the platform wrote them, cast in SQL: exact to the cent, never through a double.
    String[] revenue = new String[n];
    String[] payout = new String[n];
    Boolean[] converted = new Boolean[n];
    for (int i = 0; i < n; i++) {
      Object[] r = rows.get(i);
      ids[i] = (String) r[0];
      subs[i] = (String) r[1];
      others[i] = r[2] == null || ((String) r[2]).isBlank() ? null : ((String) r[2]).trim();
      at[i] = (OffsetDateTime) r[3];
      revenue[i] = (String) r[4];
      payout[i] = (String) r[5];
      converted[i] = (Boolean) r[6];
    }
    return pool.preparedQuery(ReconcileSql.INSERT)
        .execute(Tuple.tuple().addLong(runId).addString(side).addArrayOfString(ids).addArrayOfString(subs)
            .addArrayOfString(others).addArrayOfOffsetDateTime(at).addArrayOfString(revenue).addArrayOfString(payout)
            .addArrayOfBoolean(converted))
        .mapEmpty();
  }

  private Future<Report> compare(long runId, Instant from, Instant to) {
    int[] counts = new int[2];
    return pool.withTransaction(conn -> {
      Future<?> ready = Future.succeededFuture();
      for (String step : ReconcileSql.PREPARE) {
        ready = ready.compose(x -> conn.query(step.formatted(runId)).execute());
      }
      return ready.compose(x -> conn.query(ReconcileSql.COUNTS).execute()).compose(c -> {
        counts[0] = c.iterator().next().getInteger("td");
        counts[1] = c.iterator().next().getInteger("rb");
        return conn.query(ReconcileSql.MISMATCHES).execute();
      });
    }).compose(rows -> {
      int tdRows = counts[0];
      int rbRows = counts[1];
      List<Mismatch> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Mismatch(r.getString("kind"), r.getString("td_call"), r.getString("rb_call"), r.getString("subdomain"),
            r.getBigDecimal("rb_payout"), r.getBigDecimal("td_revenue"), r.getBigDecimal("td_payout"),
            r.getBigDecimal("rb_revenue"), r.getBigDecimal("at_stake"), r.getString("detail"),
            outboxRows(r.getString("callbridge_td"), r.getString("callbridge_rb"))));
      }
      return keep(runId, out)
          .compose(k -> pool.preparedQuery(ReconcileSql.FINISHED).execute(Tuple.of(runId, tdRows, rbRows, out.size())))
          .map(x -> new Report(runId, from, to, tdRows, rbRows, List.copyOf(out)));
    });
  }

  /** CallBridge's outbox rows for either of a mismatch's calls, oldest first. */
  private static JsonArray outboxRows(String trackDriveCall, String ringbaCall) {
    List<Object> rows = new ArrayList<>();
    for (String json : new String[] {trackDriveCall, ringbaCall}) {
      if (json != null) {
        new JsonArray(json).forEach(rows::add);
      }
    }
    rows.sort(java.util.Comparator.comparingLong(o -> ((JsonObject) o).getLong("id")));
    return new JsonArray(rows);
  }

  /** The run's mismatches, numbered from 1 in the report's order, for a fix by number. */
  private Future<Void> keep(long runId, List<Mismatch> mismatches) {
    if (mismatches.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = mismatches.size();
    Integer[] nums = new Integer[n];
    String[] kinds = new String[n];
    String[] td = new String[n];
    String[] rb = new String[n];
    String[] subs = new String[n];
    // Amounts as text, cast in SQL: exact, and null where a side has none.
    String[] rp = new String[n];
    String[] tr = new String[n];
    String[] tp = new String[n];
    String[] rr = new String[n];
    String[] details = new String[n];
    for (int i = 0; i < n; i++) {
      Mismatch m = mismatches.get(i);
      nums[i] = i + 1;
      kinds[i] = m.kind();
      td[i] = m.trackDriveCall();
      rb[i] = m.ringbaCall();
      subs[i] = m.subdomain();
      rp[i] = text(m.ringbaPayout());
      tr[i] = text(m.trackDriveRevenue());
      tp[i] = text(m.trackDrivePayout());
      rr[i] = text(m.ringbaRevenue());
      details[i] = m.detail();
    }
    return pool.preparedQuery(ReconcileSql.KEEP).execute(Tuple.tuple().addLong(runId).addArrayOfInteger(nums)
        .addArrayOfString(kinds).addArrayOfString(td).addArrayOfString(rb).addArrayOfString(subs)
        .addArrayOfString(rp).addArrayOfString(tr).addArrayOfString(tp).addArrayOfString(rr)
        .addArrayOfString(details)).mapEmpty();
  }

  private static String text(BigDecimal v) {
    return v == null ? null : v.toPlainString();
  }

  /** Mismatch {@code n} of run {@code runId} (numbered from 1 as the report lists them), if there is one. */
  public Future<java.util.Optional<Mismatch>> mismatch(long runId, int n) {
    return pool.preparedQuery(ReconcileSql.MISMATCH).execute(Tuple.of(runId, n)).map(rows -> {
      if (!rows.iterator().hasNext()) {
        return java.util.Optional.empty();
      }
      Row r = rows.iterator().next();
      return java.util.Optional.of(new Mismatch(r.getString("kind"), r.getString("td_call"), r.getString("rb_call"),
          r.getString("subdomain"), r.getBigDecimal("rb_payout"), r.getBigDecimal("td_revenue"),
          r.getBigDecimal("td_payout"), r.getBigDecimal("rb_revenue"), null, r.getString("detail"), new JsonArray()));
    });
  }

  private static OffsetDateTime utc(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }

  private static OffsetDateTime time(Object v) {
    if (v instanceof Number n) {
      return Instant.ofEpochMilli(n.longValue()).atOffset(ZoneOffset.UTC);
    }
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v).trim();
    try {
      return OffsetDateTime.parse(s);
    } catch (RuntimeException e) {
      try {
        return OffsetDateTime.parse(s, TD_TIME);
      } catch (RuntimeException again) {
        return null;
      }
    }
  }

  /** An amount as exact decimal text; none, or one that is not a number, is 0. */
  private static String amount(Object v) {
    if (v == null) {
      return "0";
    }
    try {
      return new BigDecimal(String.valueOf(v).trim()).toPlainString();
    } catch (NumberFormatException e) {
      return "0";
    }
  }

  private static Boolean flag(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v == null ? "" : String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT);
    return s.equals("true") || s.equals("1") || s.equals("yes");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
