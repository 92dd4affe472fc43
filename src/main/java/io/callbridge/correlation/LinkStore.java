package io.callbridge.correlation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** PostgreSQL side of the correlation store: batched appends, read-through lookups, retention by day. */
final class LinkStore {
  private final Pool pool;

  LinkStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * A record whose only change since this instance last wrote its call is when it was last seen is
   * written again once this much later (a call pinged again and again adds a row a minute, not one
   * per batch; last_seen in PostgreSQL lags by at most this).
   */
  static final long REWRITE_AFTER_MS = 60_000;

  /** One row per platform id of each record, appended. Answers the number of rows written. */
  Future<Integer> append(List<CallRecord> records) {
    Tuple params = rows(records);
    if (params == null) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery(LinkSql.INSERT).execute(params).map(RowSet::rowCount);
  }

  /** Written already, but for a last-seen time less than {@link #REWRITE_AFTER_MS} newer. */
  static boolean unchanged(CallRecord r) {
    CallRecord.Written w = r.written;
    CallRecord last = w == null ? null : w.last;
    return last != null && r.lastSeenMs - last.lastSeenMs < REWRITE_AFTER_MS && r.sameButLastSeen(last);
  }

  /** The statement's parameters for a batch; null when no record has a platform id (or none changed). */
  static Tuple rows(List<CallRecord> records) {
    // One row per (kind, id) and batch: the later snapshots of a call are merged into the earlier
    // ones here (the rows of one statement are one write).
    Map<RowKey, CallRecord> byId = new HashMap<>(records.size() * 3);
    // A record is in one row per platform id: its ids and sightings are decoded once.
    Map<CallRecord, Decoded> decoded = new IdentityHashMap<>(records.size() * 2);
    for (CallRecord r : records) {
      if (unchanged(r)) {
        continue;
      }
      String[] ids = decoded.computeIfAbsent(r, Decoded::new).ids;
      for (IdKind k : IdKind.PLATFORM) {
        String v = ids[k.ordinal()];
        if (v != null) {
          byId.merge(new RowKey(k.code, v), r, CallRecord::merge);
        }
      }
    }
    int n = byId.size();
    if (n == 0) {
      return null;
    }
    // Rows carry (kind, id, their record's ordinal, whether the caller is indexed on them); each
    // record's columns go once, however many ids it has (half the bound data of a ping's two rows).
    Map<CallRecord, Integer> ordinal = new IdentityHashMap<>(n);
    List<CallRecord> recs = new ArrayList<>(n);
    Short[] kind = new Short[n];
    String[] id = new String[n];
    Integer[] rec = new Integer[n];
    Boolean[] callerRow = new Boolean[n];
    int j = 0;
    for (Map.Entry<RowKey, CallRecord> row : byId.entrySet()) {
      RowKey key = row.getKey();
      CallRecord r = row.getValue();
      Integer o = ordinal.get(r);
      if (o == null) {
        o = recs.size() + 1;
        ordinal.put(r, o);
        recs.add(r);
      }
      kind[j] = key.kind;
      id[j] = key.id;
      rec[j] = o;
      // The caller index holds one row per record: its first platform id's.
      callerRow[j] = key.kind == decoded.computeIfAbsent(r, Decoded::new).firstKind;
      j++;
    }
    int m = recs.size();
    String[] callUuid = new String[m];
    String[] subdomain = new String[m];
    String[] inbound = new String[m];
    String[] bid = new String[m];
    Double[] bidAmount = new Double[m];
    Long[] bidExpires = new Long[m];
    String[] ping = new String[m];
    String[] lead = new String[m];
    String[] caller = new String[m];
    Long[] first = new Long[m];
    Long[] last = new Long[m];
    String[] seen = new String[m];
    for (int i = 0; i < m; i++) {
      CallRecord r = recs.get(i);
      Decoded dr = decoded.get(r);
      String[] ids = dr.ids;
      callUuid[i] = ids[IdKind.CALL_UUID.ordinal()];
      subdomain[i] = r.subdomain;
      inbound[i] = ids[IdKind.INBOUND_CALL_ID.ordinal()];
      bid[i] = ids[IdKind.BID_ID.ordinal()];
      bidAmount[i] = Double.isNaN(r.bidAmount) ? null : r.bidAmount;
      bidExpires[i] = r.bidExpiresAtMs;
      ping[i] = ids[IdKind.PING_ID.ordinal()];
      lead[i] = ids[IdKind.LEAD_ID.ordinal()];
      caller[i] = ids[IdKind.CALLER_ID.ordinal()];
      first[i] = r.firstSeenMs;
      last[i] = r.lastSeenMs;
      seen[i] = dr.seen;
    }
    return Tuple.tuple().addArrayOfShort(kind).addArrayOfString(id).addArrayOfInteger(rec).addArrayOfBoolean(callerRow)
        .addArrayOfString(callUuid).addArrayOfString(subdomain).addArrayOfString(inbound).addArrayOfString(bid)
        .addArrayOfDouble(bidAmount).addArrayOfLong(bidExpires).addArrayOfString(ping).addArrayOfString(lead)
        .addArrayOfString(caller).addArrayOfLong(first).addArrayOfLong(last).addArrayOfString(seen);
  }

  private static final class Decoded {
    final String[] ids;
    final String seen;
    /** The code of the record's first platform id kind (the row its caller id is indexed by). */
    final short firstKind;

    Decoded(CallRecord r) {
      ids = r.ids();
      seen = r.seenJson();
      short k = 0;
      for (IdKind kind : IdKind.PLATFORM) {
        if (ids[kind.ordinal()] != null) {
          k = kind.code;
          break;
        }
      }
      firstKind = k;
    }
  }

  /** One row of a batch (appended rows take no row locks, so their order does not matter). */
  private record RowKey(short kind, String id) {}

  Future<Optional<CallRecord>> read(IdKind kind, String value, long callerSinceMs) {
    Future<RowSet<Row>> rows = kind == IdKind.CALLER_ID
        ? pool.preparedQuery(LinkSql.FIND_BY_CALLER).execute(Tuple.of(value, callerSinceMs))
        : pool.preparedQuery(LinkSql.FIND_BY_ID).execute(Tuple.of(kind.code, value));
    return rows.map(LinkStore::record);
  }

  /** The {@code needed} ids of the calls seen from {@code callerId} since {@code sinceMs}, newest first. */
  Future<java.util.List<String>> callerCandidates(String callerId, long sinceMs, IdKind needed, int limit) {
    return pool.preparedQuery(LinkSql.callerCandidates(needed)).execute(Tuple.of(callerId, sinceMs, limit))
        .map(rows -> {
          java.util.List<String> out = new java.util.ArrayList<>();
          rows.forEach(row -> out.add(row.getString(0)));
          return out;
        });
  }

  /** Records that the shield answered call {@code callUuid} with {@code bidId} too. */
  Future<Void> sharedBid(String bidId, String callUuid, String subdomain, long atMs) {
    return pool.preparedQuery(LinkSql.SHARED_BID).execute(Tuple.of(bidId, callUuid, subdomain, atMs)).mapEmpty();
  }

  /** The further calls that got {@code bidId} from the shield, newest first. */
  Future<java.util.List<String>> sharedCalls(String bidId) {
    return pool.preparedQuery(LinkSql.SHARED_CALLS).execute(Tuple.of(bidId)).map(rows -> {
      java.util.List<String> out = new java.util.ArrayList<>();
      rows.forEach(row -> out.add(row.getString(0)));
      return out;
    });
  }

  /** Any platform id whatever its kind (the admin lookup). */
  Future<Optional<CallRecord>> readAny(String value) {
    return pool.preparedQuery(LinkSql.FIND_ANY).execute(Tuple.of(value)).map(LinkStore::record);
  }

  private static final java.time.format.DateTimeFormatter DAY =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd").withZone(java.time.ZoneOffset.UTC);

  /**
   * Makes sure the day partitions of the next {@code days} days after {@code nowMs}'s exist (never
   * today's: today's rows may already be in the default partition, which a new partition for them
   * would contradict). DDL, so run from the correlation verticle, never on a ping's path.
   */
  Future<Void> ensureDays(long nowMs, int days) {
    Future<Void> chain = Future.succeededFuture();
    java.time.LocalDate today = java.time.Instant.ofEpochMilli(nowMs).atZone(java.time.ZoneOffset.UTC).toLocalDate();
    for (int d = 1; d <= days; d++) {
      java.time.LocalDate day = today.plusDays(d);
      String sql = LinkSql.createDay(DAY.format(day.atStartOfDay(java.time.ZoneOffset.UTC)), day.toString(),
          day.plusDays(1).toString());
      chain = chain.compose(x -> pool.query(sql).execute().<Void>mapEmpty()
          // Another instance creating the same day at the same moment: it exists either way.
          .recover(err -> String.valueOf(err.getMessage()).contains("already exists")
              ? Future.succeededFuture() : Future.failedFuture(err)));
    }
    return chain;
  }

  /**
   * Retention: drops the day partitions wholly before {@code cutoffMs} (counting their rows first),
   * then deletes older rows of the default partition, {@code batch} per statement. Answers the rows removed.
   */
  Future<Long> purge(long cutoffMs, int batch) {
    String cutoffDay = DAY.format(java.time.Instant.ofEpochMilli(cutoffMs));
    return pool.query(LinkSql.DAY_PARTITIONS).execute().compose(parts -> {
      List<String> old = new ArrayList<>();
      for (Row r : parts) {
        String day = r.getString(0).substring("call_link_".length());
        // A day ends before the cutoff when the cutoff's own day is later.
        if (day.compareTo(cutoffDay) < 0) {
          old.add(day);
        }
      }
      return dropDays(old, 0, 0L);
    }).compose(dropped -> purgeFrom(cutoffMs, batch, dropped))
        .compose(n -> pool.preparedQuery(LinkSql.PURGE_SHARED).execute(Tuple.of(cutoffMs)).map(x -> n));
  }

  private Future<Long> dropDays(List<String> days, int i, long done) {
    if (i == days.size()) {
      return Future.succeededFuture(done);
    }
    String day = days.get(i);
    return pool.query(LinkSql.countDay(day)).execute()
        .compose(rs -> pool.query(LinkSql.dropDay(day)).execute().map(x -> rs.iterator().next().getLong(0)))
        .compose(n -> dropDays(days, i + 1, done + n));
  }

  private Future<Long> purgeFrom(long cutoffMs, int batch, long done) {
    return pool.preparedQuery(LinkSql.PURGE_BATCH).execute(Tuple.of(cutoffMs, batch)).compose(rs -> {
      long total = done + rs.rowCount();
      return rs.rowCount() < batch ? Future.succeededFuture(total) : purgeFrom(cutoffMs, batch, total);
    });
  }

  /** The rows of one call (the hit and its one-hop neighbours) as one record, the first seen leading. */
  private static Optional<CallRecord> record(RowSet<Row> rows) {
    List<CallRecord> parts = new ArrayList<>();
    for (Row row : rows) {
      parts.add(fromRow(row));
    }
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    parts.sort(Comparator.comparingLong(r -> r.firstSeenMs));
    CallRecord acc = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      acc = CallRecord.merge(acc, parts.get(i));
    }
    return Optional.of(acc);
  }

  private static CallRecord fromRow(Row row) {
    int n = IdKind.ALL.length;
    String[] ids = new String[n];
    ids[IdKind.CALL_UUID.ordinal()] = row.getString("call_uuid");
    ids[IdKind.INBOUND_CALL_ID.ordinal()] = row.getString("inbound_call_id");
    ids[IdKind.BID_ID.ordinal()] = row.getString("bid_id");
    ids[IdKind.PING_ID.ordinal()] = row.getString("ping_id");
    ids[IdKind.LEAD_ID.ordinal()] = row.getString("lead_id");
    ids[IdKind.CALLER_ID.ordinal()] = row.getString("caller_id");
    long first = row.getLong("first_ms");
    long last = row.getLong("last_ms");
    String[] routes = new String[n];
    long[] seenAt = new long[n];
    JsonObject seen = new JsonObject(row.getString("seen"));
    for (IdKind k : IdKind.ALL) {
      int i = k.ordinal();
      if (ids[i] == null) {
        continue;
      }
      JsonArray s = seen.getJsonArray(k.wireName());
      routes[i] = s == null ? null : s.getString(0);
      seenAt[i] = s == null ? first : s.getLong(1);
    }
    Double amount = row.getDouble("bid_amount");
    Long expires = row.getLong("bid_expires_ms");
    return CallRecord.pack(ids, routes, seenAt, row.getString("subdomain"), amount == null ? Double.NaN : amount,
        expires == null ? 0 : expires, first, last);
  }
}
