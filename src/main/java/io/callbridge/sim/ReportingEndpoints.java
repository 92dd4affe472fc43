package io.callbridge.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Both platforms' reporting APIs, answered from what the simulators recorded (and what a test
 * seeded), for reconciliation:
 * <ul>
 *   <li>TrackDrive {@code GET /api/v1/calls} (trackdrive.com/api/docs/1.0/calls): Basic auth with the
 *       company's keys; {@code created_at_from}/{@code created_at_to} formatted like
 *       {@code 2016-01-01 12:25:15 -0500}; cursoring — {@code cursor=-1} (the default) starts,
 *       {@code metadata.next_cursor} continues, {@code next_cursor = 0} was the last page;
 *       {@code per_page} (default 25); {@code columns=} limits the fields.</li>
 *   <li>Ringba {@code POST /v2/{accountId}/calllogs} (Ringba's API, as in the ringba-php-sdk's
 *       CallLogsGetCallLogsApi): {@code Authorization: Token <apiToken>}; a body with {@code reportStart}
 *       and {@code reportEnd} (UTC), {@code offset} and {@code size} (at most 1000); the answer
 *       {@code {isSuccessful, transactionId, report: {records, totalCount, partialResult}}}.</li>
 * </ul>
 * Not confirmed against the platforms themselves (simulator assumptions, to verify): the array key
 * of TrackDrive's answer ({@code calls}) and where it keeps a contact field ({@code ringba_call_uuid}
 * at the top level); the name of Ringba's tag column ({@code tag:User:trackdrive_call_uuid}).
 */
final class ReportingEndpoints {
  static final int RINGBA_MAX_SIZE = 1000;
  static final int TRACKDRIVE_MAX_PER_PAGE = 500;
  private static final DateTimeFormatter TD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

  private final SimState state;

  ReportingEndpoints(SimState state) {
    this.state = state;
  }

  void trackDriveCalls(SimRequest ex, SplittableRandom r, String subdomain, SimConfig.Company company) {
    if (!TrackDriveEndpoints.authorized(ex, company)) {
      ex.reply(401, new JsonObject().put("status", "error").put("message", "Invalid API credentials"), "unauthorized");
      return;
    }
    Instant from;
    Instant to;
    long cursor;
    int perPage;
    try {
      from = tdTime(ex.text("created_at_from"), Instant.EPOCH);
      to = tdTime(ex.text("created_at_to"), Instant.parse("9999-01-01T00:00:00Z"));
      cursor = ex.text("cursor") == null ? -1 : Long.parseLong(ex.text("cursor"));
      perPage = ex.text("per_page") == null ? 25 : Integer.parseInt(ex.text("per_page"));
    } catch (NumberFormatException | DateTimeParseException e) {
      ex.reply(422, new JsonObject().put("status", "error").put("errors", new JsonObject().put("base",
          new JsonArray().add("invalid parameter: " + e.getMessage()))), "rejected: bad parameter");
      return;
    }
    if (perPage < 1 || perPage > TRACKDRIVE_MAX_PER_PAGE || cursor < -1) {
      ex.reply(422, new JsonObject().put("status", "error").put("errors", new JsonObject().put("per_page",
          new JsonArray().add("must be 1.." + TRACKDRIVE_MAX_PER_PAGE))), "rejected: per_page");
      return;
    }
    int start = cursor <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, cursor);
    SimState.Page listed = state.trackDriveCalls(subdomain, from, to, start, perPage);
    int end = Math.min(listed.total(), start + listed.items().size());
    String columns = ex.text("columns");
    JsonArray page = new JsonArray();
    for (JsonObject out : listed.items()) {
      out.remove("updates");
      if (columns != null && !columns.isBlank()) {
        JsonObject only = new JsonObject();
        for (String col : columns.split(",")) {
          if (out.containsKey(col.trim())) {
            only.put(col.trim(), out.getValue(col.trim()));
          }
        }
        out = only;
      }
      page.add(out);
    }
    ex.reply(200, new JsonObject().put("calls", page).put("metadata", new JsonObject()
        .put("next_cursor", end < listed.total() ? end : 0).put("per_page", perPage).put("total_count", listed.total())),
        page.size() + " calls from " + start);
  }

  void ringbaCallLogs(SimRequest ex, SplittableRandom r, String accountId, SimConfig.Account account) {
    String header = ex.header("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Token ", 0, 6) ? header.substring(6).trim() : null;
    if (token == null || account.apiToken().isEmpty() || !TrackDriveEndpoints.same(token, account.apiToken())) {
      ex.reply(401, new JsonObject().put("isSuccessful", false).put("message", "Authorization has been denied for this request."),
          "unauthorized");
      return;
    }
    Instant from;
    Instant to;
    int offset;
    int size;
    try {
      from = Instant.parse(require(ex.text("reportStart"), "reportStart"));
      to = Instant.parse(require(ex.text("reportEnd"), "reportEnd"));
      offset = ex.text("offset") == null ? 0 : Integer.parseInt(ex.text("offset"));
      size = ex.text("size") == null ? 100 : Integer.parseInt(ex.text("size"));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      ex.reply(400, new JsonObject().put("isSuccessful", false).put("message", e.getMessage()), "rejected: bad body");
      return;
    }
    if (size < 1 || size > RINGBA_MAX_SIZE || offset < 0) {
      ex.reply(400, new JsonObject().put("isSuccessful", false)
          .put("message", "size must be 1.." + RINGBA_MAX_SIZE + " and offset at least 0"), "rejected: size");
      return;
    }
    SimState.Page listed = state.ringbaCalls(from, to, offset, size);
    JsonArray records = new JsonArray();
    for (JsonObject rec : listed.items()) {
      Object uuid = rec.remove("trackdrive_call_uuid");
      if (uuid != null) {
        rec.put("tag:User:trackdrive_call_uuid", uuid);
      }
      records.add(rec);
    }
    ex.reply(200, new JsonObject().put("isSuccessful", true).put("transactionId", UUID.randomUUID().toString())
        .put("report", new JsonObject().put("records", records).put("totalCount", listed.total()).put("partialResult", false)),
        records.size() + " records from " + offset);
  }

  private static String require(String v, String name) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }

  private static Instant tdTime(String text, Instant fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    return OffsetDateTime.parse(text.trim(), TD_TIME).toInstant();
  }

  /** TrackDrive's way of writing a time, for tests and the reconciler: {@code 2016-01-01 12:25:15 +0000}. */
  static String tdTime(Instant t) {
    return TD_TIME.format(t.atOffset(ZoneOffset.UTC));
  }
}
