package io.callbridge.outbox;

/** Every statement the outbox runs, in one place. Times are parameters (epoch ms) from the injected clock. */
final class OutboxSql {
  private OutboxSql() {}

  /** This connection's deployment (its rows only): every claim, replay and cancel says it. */
  static final String MINE = "deployment = COALESCE(current_setting('callbridge.deployment', true), 'default')";

  static final String COLUMNS = "id, flow, route, idem_key, once_key, call_id, event_kind, status, fingerprint, destination, "
      + "stale_at, "
      + "method, uri, headers::text AS headers, body, raw_method, raw_query, raw_body, fields::text AS fields, request_id, "
      + "schedule_ms, jitter, attempts, ambiguous, next_attempt_at, lease_owner, related_id, last_status, last_error, "
      + "created_at, updated_at, delivered_at";

  /** Group commit: the envelopes that arrived together, one statement, one commit. */
  static final String INSERT_BATCH = """
      INSERT INTO outbox (flow, route, idem_key, once_key, call_id, event_kind, status, fingerprint, destination,
                          method, uri, headers, body, raw_method, raw_query, raw_body, fields, request_id,
                          schedule_ms, jitter, next_attempt_at, created_at, updated_at, related_id, last_error,
                          stale_at, match_keys)
      SELECT f, r, k, o, c, e, st, fp, d, m, u, h::jsonb, b, rm, rq, rb, fl::jsonb, rid,
             s::bigint[], j, to_timestamp(n / 1000.0), to_timestamp(t / 1000.0), to_timestamp(t / 1000.0), rel, pr,
             to_timestamp(sa / 1000.0), mk
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::text[], $15::text[],
                  $16::bytea[], $17::text[], $18::text[], $19::text[], $20::real[], $21::bigint[], $22::bigint[],
                  $23::bigint[], $24::text[], $25::bigint[], $26::text[])
           AS x(f, r, k, o, c, e, st, fp, d, m, u, h, b, rm, rq, rb, fl, rid, s, j, n, t, rel, pr, sa, mk)
      ON CONFLICT DO NOTHING
      RETURNING id, route, idem_key, status
      """;

  /** The rows an envelope collided with: same route and key, or same once-per-call key. */
  static final String FIND_EXISTING = """
      SELECT id, route, idem_key, once_key, status, fingerprint, attempts, lease_owner
      FROM outbox
      WHERE (route, idem_key) IN (SELECT * FROM unnest($1::text[], $2::text[])) OR once_key = ANY($3::text[])
      """;

  /** A later value replaces a row still inside its settle window and never attempted. */
  static final String SUPERSEDE = """
      UPDATE outbox SET method = $2, uri = $3, headers = $4::text::jsonb, body = $5, raw_method = $6, raw_query = $7,
             raw_body = $8, fields = $9::text::jsonb, fingerprint = $10, request_id = $11, updated_at = to_timestamp($12 / 1000.0)
      WHERE id = $1 AND status = 'pending' AND attempts = 0 AND lease_owner IS NULL
        AND next_attempt_at > to_timestamp($12 / 1000.0)
      RETURNING id
      """;

  /**
   * Claim due rows: the lease is written as the next due time, so an expired lease is simply due
   * again. The owner is a token per claim, so a stale answer of an earlier claim never counts. A
   * correction (a row with a related row) waits while an earlier row of its call is still pending, so
   * absolute values arrive in order and the latest wins.
   */
  static final String CLAIM = """
      WITH due AS (
        SELECT id FROM outbox c
        WHERE status = 'pending' AND next_attempt_at <= to_timestamp($1 / 1000.0) AND id <> ALL($5::bigint[])
          AND c.destination = $6
          AND c.{mine}
          AND (c.related_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox p WHERE p.route = c.route AND p.call_id = c.call_id AND p.id < c.id
                  AND p.status = 'pending'))
        ORDER BY next_attempt_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      UPDATE outbox o
      SET lease_owner = $3, next_attempt_at = to_timestamp($4 / 1000.0),
          ambiguous = o.ambiguous OR o.lease_owner IS NOT NULL
      FROM due WHERE o.id = due.id
      RETURNING o.id, o.route, o.destination, o.method, o.uri, o.headers::text AS headers, o.body, o.schedule_ms,
                o.jitter, o.attempts, o.ambiguous, o.once_key IS NOT NULL AS once, o.created_at, o.call_id,
                (extract(epoch FROM o.stale_at) * 1000)::bigint AS stale_at
      """.replace("{mine}", MINE);

  static final String RENEW = """
      UPDATE outbox SET next_attempt_at = to_timestamp($3 / 1000.0)
      WHERE (id, lease_owner) IN (SELECT * FROM unnest($1::bigint[], $2::text[])) AND status = 'pending'
      """;

  /**
   * Record the attempts that finished together: each row's consequence only while its claim still
   * holds the lease; each attempt's log line once, even when the statement is retried after a lost
   * answer. Returns the ids whose row was updated.
   */
  static final String COMPLETE_BATCH = """
      WITH v AS (
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::bool[], $6::bigint[], $7::int[],
                             $8::text[], $9::bigint[], $10::bigint[], $11::int[], $12::text[], $13::text[], $14::text[])
          AS x(id, token, status, attempts, ambiguous, next_at, http_status, error, now_ms, started, latency, outcome,
               kind, response)),
      u AS (
        UPDATE outbox o SET status = v.status, attempts = v.attempts, ambiguous = v.ambiguous,
               next_attempt_at = to_timestamp(v.next_at / 1000.0), lease_owner = NULL, last_status = v.http_status,
               last_error = v.error, updated_at = to_timestamp(v.now_ms / 1000.0),
               delivered_at = CASE WHEN v.status = 'delivered' THEN to_timestamp(v.now_ms / 1000.0) ELSE o.delivered_at END
        FROM v WHERE o.id = v.id AND o.lease_owner = v.token
        RETURNING o.id),
      a AS (
        INSERT INTO outbox_attempt (outbox_id, attempt, worker, started_at, latency_ms, outcome, kind, http_status,
                                    error, response)
        SELECT v.id, v.attempts, $15::text, to_timestamp(v.started / 1000.0), v.latency, v.outcome, v.kind,
               v.http_status, v.error, v.response
        FROM v
        WHERE v.outcome <> 'deferred' -- nothing was sent (breaker open, no pooled connection): no attempt row
          AND NOT EXISTS (SELECT 1 FROM outbox_attempt x WHERE x.outbox_id = v.id AND x.worker = $15::text
                            AND x.started_at = to_timestamp(v.started / 1000.0))
        RETURNING id)
      SELECT id FROM u
      """;

  /** Rows not delivered, by status (delivered rows are the bulk of the table and are not counted: an index scan). */
  static final String DEPTH = "SELECT status, count(*) AS n FROM outbox "
      + "WHERE status = ANY('{pending,dead,unmatched,conflict,reconciled,cancelled,skipped}'::text[]) AND " + MINE
      + " GROUP BY status";

  static final String OLDEST_PENDING = "SELECT (extract(epoch FROM min(created_at) FILTER (WHERE status = 'pending')) "
      + "* 1000)::bigint AS oldest, (extract(epoch FROM min(created_at) FILTER (WHERE status = 'unmatched')) * 1000)"
      + "::bigint AS oldest_unmatched FROM outbox WHERE status IN ('pending', 'unmatched') AND " + MINE;

  static final String GET = "SELECT " + COLUMNS + " FROM outbox WHERE id = $1";

  static final String ATTEMPTS = """
      SELECT attempt, worker, started_at, latency_ms, outcome, kind, http_status, error, response
      FROM outbox_attempt WHERE outbox_id = $1 ORDER BY id
      """;

  static final String LIST = "SELECT " + COLUMNS + " FROM outbox "
      + "WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR route = $2) "
      + "AND ($3::bigint IS NULL OR created_at >= to_timestamp($3 / 1000.0)) "
      + "AND ($4::bigint IS NULL OR created_at < to_timestamp($4 / 1000.0)) "
      + "AND ($6::text IS NULL OR call_id = $6) AND ($7::text IS NULL OR destination = $7) AND " + MINE + " "
      + "ORDER BY id DESC LIMIT $5";

  /** The queues that need a person, and pending: how many, and since when (epoch ms of the oldest). */
  static final String QUEUES = "SELECT status, count(*) AS n, (extract(epoch FROM min(created_at)) * 1000)::bigint AS oldest "
      + "FROM outbox WHERE status IN ('pending', 'dead', 'unmatched', 'conflict') AND " + MINE + " GROUP BY status";

  /** Replay: back to pending, due now, with a fresh set of attempts. Never a delivered row unless forced. */
  static final String REPLAY = """
      UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = to_timestamp($2 / 1000.0),
             lease_owner = NULL, updated_at = to_timestamp($2 / 1000.0), last_error = NULL
      WHERE id = ANY($1::bigint[]) AND status = ANY($3::text[]) AND method <> '' AND {mine}
      RETURNING id
      """.replace("{mine}", MINE);

  static final String REPLAY_SELECT = """
      SELECT id, method = '' AS unrendered FROM outbox
      WHERE status = ANY($1::text[]) AND ($2::text IS NULL OR route = $2)
        AND created_at >= to_timestamp($3 / 1000.0) AND created_at < to_timestamp($4 / 1000.0) AND {mine}
      ORDER BY id LIMIT $5
      """.replace("{mine}", MINE);

  /** A never-rendered row found its call: its request, call and the postback's key for that call ($10). */
  static final String REMATCH = """
      UPDATE outbox SET status = 'pending', attempts = 0, method = $2, uri = $3, headers = $4::text::jsonb, body = $5,
             fingerprint = $6, call_id = $7, once_key = $8, next_attempt_at = to_timestamp($9 / 1000.0),
             updated_at = to_timestamp($9 / 1000.0), last_error = NULL, idem_key = $10
      WHERE id = $1 AND status IN ('unmatched', 'dead', 'cancelled') AND method = '' AND {mine}
      RETURNING id
      """.replace("{mine}", MINE);

  /** Row $1 is a copy of the row of route $2 with key $3: cancelled, pointing at it. */
  static final String CANCEL_AS_COPY = """
      WITH original AS (SELECT id FROM outbox WHERE route = $2 AND idem_key = $3 AND {mine})
      UPDATE outbox SET status = 'cancelled', related_id = (SELECT id FROM original),
             last_error = 'a copy of postback ' || (SELECT id FROM original) || ', which carries it for its call',
             updated_at = to_timestamp($4 / 1000.0)
      WHERE id = $1 AND status IN ('unmatched', 'dead', 'cancelled') AND {mine}
      RETURNING related_id AS original
      """.replace("{mine}", MINE);

  /**
   * Unmatched rows due for another look-up ($1 now, epoch ms) that arrived since $2, at most $3; each
   * one's next look-up moves out by its age (at least 1 s, at most 1 h). Claimed with SKIP LOCKED.
   */
  static final String CLAIM_UNMATCHED = """
      UPDATE outbox o SET next_attempt_at = to_timestamp($1 / 1000.0)
             + LEAST(GREATEST(to_timestamp($1 / 1000.0) - o.created_at, interval '1 second'), interval '1 hour')
      WHERE o.id IN (SELECT id FROM outbox WHERE status = 'unmatched' AND method = '' AND {mine}
                       AND next_attempt_at <= to_timestamp($1 / 1000.0) AND created_at >= to_timestamp($2 / 1000.0)
                     ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING o.id, o.route, o.fields::text AS fields, o.last_error
      """.replace("{mine}", MINE);

  /** Unmatched rows waiting for any of the ids $1 ("kind:value") are due for a look-up now ($2, epoch ms). */
  static final String WAKE_UNMATCHED = """
      UPDATE outbox SET next_attempt_at = to_timestamp($2 / 1000.0)
      WHERE status = 'unmatched' AND string_to_array(match_keys, E'\n') && $1::text[] AND {mine}
      """.replace("{mine}", MINE);

  static final String CANCEL = """
      UPDATE outbox SET status = 'cancelled', lease_owner = NULL, updated_at = to_timestamp($2 / 1000.0)
      WHERE id = $1 AND status IN ('pending', 'unmatched', 'dead', 'conflict') AND {mine}
      RETURNING id
      """.replace("{mine}", MINE);

  /**
   * One retention batch: finished rows (delivered, reconciled, cancelled, skipped) created and last updated
   * before $1 (epoch ms), at most $2 of them; their attempts go with them (ON DELETE CASCADE).
   * Rows waiting for someone (pending, dead, unmatched, conflict) are never purged.
   */
  static final String PURGE_FINISHED = """
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE status = ANY('{delivered,reconciled,cancelled,skipped}'::text[])
          AND created_at < to_timestamp($1 / 1000.0) AND updated_at < to_timestamp($1 / 1000.0) LIMIT $2)
      """;

  static final String NOTIFY = "SELECT pg_notify(left('callbridge_outbox_' || current_schema(), 63), '')";
}
