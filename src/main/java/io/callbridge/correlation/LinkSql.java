package io.callbridge.correlation;

/** Every statement of the correlation store, in one place ({@code $n} parameters, prepared and cached). */
final class LinkSql {
  private LinkSql() {}

  /**
   * The write-behind batch: one statement for any batch size (arrays, not a VALUES list, so one
   * prepared statement serves all sizes). Merging happens here: platform ids and the caller id keep
   * the value already stored (never replaced, never erased by an empty one), the bid sighted last
   * wins with its amount, expiry and sighting (as {@link CallRecord#merge}: a write retried after a
   * newer one, or another instance's older view, cannot put an older bid back), first/last seen
   * widen, first sightings are kept. Rows arrive sorted by (kind, id) so concurrent batches lock
   * rows in one order and cannot deadlock.
   */
  private static final String UPSERT_FROM = """
      INSERT INTO call_link AS t (kind, id, call_uuid, subdomain, inbound_call_id, bid_id, bid_amount, bid_expires_at,
        ping_id, lead_id, caller_id, first_seen, last_seen, seen)
      SELECT k, i, cu, sd, ic, b, ba, CASE WHEN be = 0 THEN NULL ELSE to_timestamp(be / 1000.0) END,
        p, l, c, to_timestamp(fs / 1000.0), to_timestamp(ls / 1000.0), s::jsonb
      FROM %s AS u(k, i, cu, sd, ic, b, ba, be, p, l, c, fs, ls, s)
      ON CONFLICT (kind, id) DO UPDATE SET
        call_uuid = COALESCE(t.call_uuid, EXCLUDED.call_uuid),
        subdomain = CASE WHEN t.call_uuid IS NOT NULL AND t.subdomain IS NOT NULL THEN t.subdomain
                         ELSE COALESCE(EXCLUDED.subdomain, t.subdomain) END,
        inbound_call_id = COALESCE(t.inbound_call_id, EXCLUDED.inbound_call_id),
        bid_id = CASE WHEN %2$s THEN EXCLUDED.bid_id ELSE t.bid_id END,
        bid_amount = CASE WHEN %2$s THEN EXCLUDED.bid_amount ELSE t.bid_amount END,
        bid_expires_at = CASE WHEN %2$s THEN EXCLUDED.bid_expires_at ELSE t.bid_expires_at END,
        ping_id = COALESCE(t.ping_id, EXCLUDED.ping_id),
        lead_id = COALESCE(t.lead_id, EXCLUDED.lead_id),
        caller_id = COALESCE(t.caller_id, EXCLUDED.caller_id),
        first_seen = LEAST(t.first_seen, EXCLUDED.first_seen),
        last_seen = GREATEST(t.last_seen, EXCLUDED.last_seen),
        seen = CASE WHEN %2$s AND EXCLUDED.bid_id <> t.bid_id
                    THEN (EXCLUDED.seen || t.seen) || jsonb_build_object('bidId', EXCLUDED.seen -> 'bidId')
                    ELSE EXCLUDED.seen || t.seen END
      """;

  /**
   * The incoming row's bid wins: it has one, and the stored row has none, the same one, or one
   * sighted no later (sightings are {@code seen -> 'bidId' -> 1}, epoch ms; a tie goes to the incoming).
   */
  private static final String INCOMING_BID_WINS = "(EXCLUDED.bid_id IS NOT NULL AND (t.bid_id IS NULL "
      + "OR EXCLUDED.bid_id = t.bid_id "
      + "OR COALESCE((EXCLUDED.seen -> 'bidId' ->> 1)::int8, 0) >= COALESCE((t.seen -> 'bidId' ->> 1)::int8, 0)))";

  static final String UNNEST_PARAMS = "unnest($1::int2[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
      + "$7::float8[], $8::int8[], $9::text[], $10::text[], $11::text[], $12::int8[], $13::int8[], $14::text[])";

  static final String UPSERT = upsertFrom(UNNEST_PARAMS);

  /** The upsert with {@code rows} (a row source: {@code unnest(...)}, {@code VALUES ...}) as its input. */
  static String upsertFrom(String rows) {
    return UPSERT_FROM.formatted(rows, INCOMING_BID_WINS);
  }

  private static String columns(String p) {
    return p + "kind, " + p + "id, " + p + "call_uuid, " + p + "subdomain, " + p + "inbound_call_id, " + p + "bid_id, "
        + p + "bid_amount, (extract(epoch FROM " + p + "bid_expires_at) * 1000)::int8 AS bid_expires_ms, "
        + p + "ping_id, " + p + "lead_id, " + p + "caller_id, "
        + "(extract(epoch FROM " + p + "first_seen) * 1000)::int8 AS first_ms, "
        + "(extract(epoch FROM " + p + "last_seen) * 1000)::int8 AS last_ms, " + p + "seen::text AS seen";
  }

  /** The hit, and one hop through the ids it names: rows other instances wrote for the same call. */
  private static final String CLOSURE = "SELECT " + columns("l.") + " FROM hit h "
      + "CROSS JOIN LATERAL (VALUES (1::int2, h.call_uuid), (2::int2, h.inbound_call_id), (3::int2, h.bid_id), "
      + "(4::int2, h.ping_id), (5::int2, h.lead_id)) AS v(k, i) "
      + "JOIN call_link l ON l.kind = v.k AND l.id = v.i";

  /** A platform id: $1 kind, $2 id. */
  static final String FIND_BY_ID = "WITH hit AS (SELECT * FROM call_link WHERE kind = $1 AND id = $2) " + CLOSURE;

  /** A caller id: the most recently seen call from $1 since $2 (epoch ms). */
  static final String FIND_BY_CALLER = "WITH hit AS (SELECT * FROM call_link WHERE caller_id = $1 "
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
    return "SELECT " + c + " FROM call_link WHERE caller_id = $1 AND last_seen >= to_timestamp($2 / 1000.0) AND "
        + c + " IS NOT NULL GROUP BY " + c + " ORDER BY max(last_seen) DESC LIMIT $3";
  }

  /** Any platform id, whatever its kind (admin lookups): $1 id. */
  static final String FIND_ANY = "WITH hit AS (SELECT * FROM call_link WHERE kind = ANY('{1,2,3,4,5}'::int2[]) "
      + "AND id = $1 LIMIT 1) " + CLOSURE;

  /** A further call ($2, subdomain $3) the shield answered with bid $1, at $4 (epoch ms). */
  static final String SHARED_BID = "INSERT INTO shared_bid (bid_id, call_uuid, subdomain, at) "
      + "VALUES ($1, $2, $3, to_timestamp($4 / 1000.0)) ON CONFLICT DO NOTHING";

  /** The further calls that got bid $1, newest first. */
  static final String SHARED_CALLS = "SELECT call_uuid FROM shared_bid WHERE bid_id = $1 ORDER BY at DESC LIMIT 10";

  /** Shared-bid rows older than $1 (epoch ms), with the links they belong to. */
  static final String PURGE_SHARED = "DELETE FROM shared_bid WHERE at < to_timestamp($1 / 1000.0)";

  /** One retention batch: rows last seen before $1 (epoch ms), at most $2 of them, by ctid (short locks). */
  static final String PURGE_BATCH = "DELETE FROM call_link WHERE ctid = ANY(ARRAY(SELECT ctid FROM call_link "
      + "WHERE last_seen < to_timestamp($1 / 1000.0) LIMIT $2))";
}
