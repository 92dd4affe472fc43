package io.callbridge.correlation;

/** Every statement of the correlation store, in one place ({@code $n} parameters, prepared and cached). */
final class LinkSql {
  private LinkSql() {}

  /**
   * The write-behind batch: one statement for any batch size (arrays, not a VALUES list, so one
   * prepared statement serves all sizes), appending one row per platform id of each record. Nothing
   * is merged here: a read merges every row of a call ({@link CallRecord#merge}: platform ids and the
   * caller id are never erased, the bid sighted last wins, first/last seen widen), so a write retried
   * after a newer one, or another instance's older view, cannot put an older bid back.
   */
  private static final String INSERT_FROM = """
      INSERT INTO call_link (kind, id, call_uuid, subdomain, inbound_call_id, bid_id, bid_amount, bid_expires_at,
        ping_id, lead_id, caller_id, caller_key, first_seen, last_seen, seen)
      SELECT k, i, cu, sd, ic, b, ba, CASE WHEN be = 0 THEN NULL ELSE to_timestamp(be / 1000.0) END,
        p, l, c, ck, to_timestamp(fs / 1000.0), to_timestamp(ls / 1000.0), s
      FROM %s AS u(k, i, cu, sd, ic, b, ba, be, p, l, c, ck, fs, ls, s)
      """;

  /**
   * The batch's rows from bound arrays: per row its kind, id, record ordinal and whether the caller
   * is indexed on it ($1–$4); per record its columns, once ($5–$16), joined by ordinal.
   */
  static final String UNNEST_PARAMS = "(SELECT r.k, r.i, u.cu, u.sd, u.ic, u.b, u.ba, u.be, u.p, u.l, u.c, "
      + "CASE WHEN r.ck THEN u.c END, u.fs, u.ls, u.s "
      + "FROM unnest($1::int2[], $2::text[], $3::int4[], $4::bool[]) AS r(k, i, x, ck) "
      + "JOIN unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::int8[], $11::text[], "
      + "$12::text[], $13::text[], $14::int8[], $15::int8[], $16::text[]) WITH ORDINALITY "
      + "AS u(cu, sd, ic, b, ba, be, p, l, c, fs, ls, s, x) ON u.x = r.x)";

  static final String INSERT = insertFrom(UNNEST_PARAMS);

  /** The batch insert with {@code rows} (a row source: {@code unnest(...)}, a subquery) as its input. */
  static String insertFrom(String rows) {
    return INSERT_FROM.formatted(rows);
  }

  private static String columns(String p) {
    return p + "kind, " + p + "id, " + p + "call_uuid, " + p + "subdomain, " + p + "inbound_call_id, " + p + "bid_id, "
        + p + "bid_amount, (extract(epoch FROM " + p + "bid_expires_at) * 1000)::int8 AS bid_expires_ms, "
        + p + "ping_id, " + p + "lead_id, " + p + "caller_id, "
        + "(extract(epoch FROM " + p + "first_seen) * 1000)::int8 AS first_ms, "
        + "(extract(epoch FROM " + p + "last_seen) * 1000)::int8 AS last_ms, " + p + "seen::text AS seen";
  }

  /**
   * The hit rows, and one hop through the ids they name: rows other instances (and earlier writes)
   * made for the same call; each row once.
   */
  private static final String CLOSURE = "SELECT DISTINCT " + columns("l.") + " FROM "
      + "(SELECT DISTINCT v.k, v.i FROM hit h "
      + "CROSS JOIN LATERAL (VALUES (1::int2, h.call_uuid), (2::int2, h.inbound_call_id), (3::int2, h.bid_id), "
      + "(4::int2, h.ping_id), (5::int2, h.lead_id)) AS v(k, i) WHERE v.i IS NOT NULL) ids "
      + "JOIN call_link l ON l.id = ids.i AND l.kind = ids.k";

  /** A platform id: $1 kind, $2 id. */
  static final String FIND_BY_ID = "WITH hit AS (SELECT * FROM call_link WHERE id = $2 AND kind = $1) " + CLOSURE;

  /** A caller id: the most recently seen call from $1 since $2 (epoch ms). */
  static final String FIND_BY_CALLER = "WITH hit AS (SELECT * FROM call_link WHERE caller_key = $1 "
      + "AND last_seen >= to_timestamp($2 / 1000.0) ORDER BY last_seen DESC LIMIT 1) " + CLOSURE;

  /** The column of a call's {@code kind} id in every row of that call. */
  static String column(IdKind kind) {
    return switch (kind) {
      case CALL_UUID -> "call_uuid";
      case INBOUND_CALL_ID -> "inbound_call_id";
      case BID_ID -> "bid_id";
      case PING_ID -> "ping_id";
      case LEAD_ID -> "lead_id";
      case CALLER_ID -> "caller_id";
    };
  }

  /**
   * The distinct calls (by their {@code kind} id) seen from caller $1 since $2 (epoch ms), newest
   * first, at most $3: more than one means a caller-id match is ambiguous. Served by the caller index.
   */
  static String callerCandidates(IdKind kind) {
    String c = column(kind);
    return "SELECT " + c + " FROM call_link WHERE caller_key = $1 AND last_seen >= to_timestamp($2 / 1000.0) AND "
        + c + " IS NOT NULL GROUP BY " + c + " ORDER BY max(last_seen) DESC LIMIT $3";
  }

  /** Any platform id, whatever its kind (admin lookups): $1 id. */
  static final String FIND_ANY = "WITH hit AS (SELECT * FROM call_link WHERE id = $1 "
      + "AND kind = ANY('{1,2,3,4,5}'::int2[])) " + CLOSURE;

  /** A further call ($2, subdomain $3) the shield answered with bid $1, at $4 (epoch ms). */
  static final String SHARED_BID = "INSERT INTO shared_bid (bid_id, call_uuid, subdomain, at) "
      + "VALUES ($1, $2, $3, to_timestamp($4 / 1000.0)) ON CONFLICT DO NOTHING";

  /** The further calls that got bid $1, newest first. */
  static final String SHARED_CALLS = "SELECT call_uuid FROM shared_bid WHERE bid_id = $1 ORDER BY at DESC LIMIT 10";

  /** Shared-bid rows older than $1 (epoch ms), with the links they belong to. */
  static final String PURGE_SHARED = "DELETE FROM shared_bid WHERE at < to_timestamp($1 / 1000.0)";

  /** One retention batch of the default partition: rows last seen before $1 (epoch ms), at most $2, by ctid. */
  static final String PURGE_BATCH = "DELETE FROM call_link_default WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
      + "call_link_default WHERE last_seen < to_timestamp($1 / 1000.0) LIMIT $2))";

  /** The day partitions of call_link: their names, oldest first (named call_link_yyyymmdd). */
  static final String DAY_PARTITIONS = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      + "WHERE i.inhparent = 'call_link'::regclass AND c.relname ~ '^call_link_[0-9]{8}$' ORDER BY c.relname";

  /** The day partition for {@code day} (yyyymmdd) and its bounds (DDL takes no parameters: formatted in). */
  static String createDay(String day, String from, String to) {
    return "CREATE TABLE IF NOT EXISTS call_link_" + day + " PARTITION OF call_link FOR VALUES FROM ('" + from
        + "T00:00:00Z') TO ('" + to + "T00:00:00Z')";
  }

  /** How many rows a day partition holds (counted once, before it is dropped). */
  static String countDay(String day) {
    return "SELECT count(*) FROM call_link_" + day;
  }

  static String dropDay(String day) {
    return "DROP TABLE IF EXISTS call_link_" + day;
  }
}
