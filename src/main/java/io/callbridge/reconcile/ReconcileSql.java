package io.callbridge.reconcile;

/** The statements of a reconciliation run. */
final class ReconcileSql {
  private ReconcileSql() {}

  private static final String MINE = "deployment = COALESCE(current_setting('callbridge.deployment', true), 'default')";

  static final String START = "INSERT INTO reconcile_run (window_from, window_to) VALUES ($1, $2) RETURNING id";

  /** Serialises the claim of a scheduled run among a deployment's instances, until the claim commits. */
  static final String CLAIM_LOCK = "SELECT pg_advisory_xact_lock(hashtext('callbridge.reconcile.' || COALESCE("
      + "current_setting('callbridge.deployment', true), 'default')))";

  /** A scheduled run, unless one started less than {@code $3} ago: then no row. */
  static final String CLAIM = "INSERT INTO reconcile_run (window_from, window_to, scheduled) SELECT $1, $2, true"
      + " WHERE NOT EXISTS (SELECT 1 FROM reconcile_run WHERE scheduled AND " + MINE
      + " AND started_at > now() - make_interval(secs => $3)) RETURNING id";

  static final String FAILED = "UPDATE reconcile_run SET finished_at = now(), error = $2 WHERE id = $1";

  static final String FINISHED = "UPDATE reconcile_run SET finished_at = now(), trackdrive_rows = $2, ringba_rows = $3,"
      + " mismatches = $4 WHERE id = $1";

  static final String KEEP = """
      INSERT INTO reconcile_mismatch (run_id, n, kind, td_call, rb_call, subdomain, rb_payout, td_revenue, td_payout,
                                      rb_revenue, detail)
      SELECT $1, u.n, u.kind, u.td, u.rb, u.sub, u.rp::numeric, u.tr::numeric, u.tp::numeric, u.rr::numeric, u.detail
      FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                  $10::text[], $11::text[]) AS u(n, kind, td, rb, sub, rp, tr, tp, rr, detail)""";

  static final String MISMATCH = "SELECT m.* FROM reconcile_mismatch m JOIN reconcile_run r ON r.id = m.run_id"
      + " WHERE m.run_id = $1 AND m.n = $2 AND r." + MINE;

  static final String RUNS = "SELECT id, started_at, window_from, window_to, finished_at, trackdrive_rows, ringba_rows,"
      + " mismatches, error FROM reconcile_run WHERE " + MINE + " ORDER BY id DESC LIMIT $1";

  static final String INSERT = """
      INSERT INTO reconcile_row (run_id, side, call_id, subdomain, other_id, at, revenue, payout, converted)
      SELECT $1, $2, u.call_id, u.subdomain, u.other_id, u.at, u.revenue::numeric, u.payout::numeric, u.converted
      FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::boolean[])
        AS u(call_id, subdomain, other_id, at, revenue, payout, converted)""";

  /**
   * The comparison's working tables, one statement each, in one transaction ({@code ON COMMIT DROP}):
   * each side once per call with the other platform's id it knows (its own record's, else
   * correlation's), and the pairs. They are tables, analysed, not CTEs, because the planner cannot
   * estimate a join of CTEs and took nested loops over both sides (a 20,000-call day took minutes).
   * {@code %d} is the run id (a long, formatted in: DDL takes no parameters).
   */
  static final java.util.List<String> PREPARE = java.util.List.of("""
      CREATE TEMP TABLE rc_t ON COMMIT DROP AS
      SELECT t.*, COALESCE(t.other_id, l.inbound_call_id) AS known
      FROM (SELECT call_id, min(at) AS at, max(subdomain) AS subdomain, max(other_id) AS other_id, max(revenue) AS revenue,
                   max(payout) AS payout, bool_or(converted) AS converted, count(*) AS n
            FROM reconcile_row WHERE run_id = %d AND side = 'T' GROUP BY call_id) t
      LEFT JOIN LATERAL (SELECT inbound_call_id FROM call_link WHERE id = t.call_id AND kind = 1
                         AND inbound_call_id IS NOT NULL LIMIT 1) l ON true""", """
      CREATE TEMP TABLE rc_r ON COMMIT DROP AS
      SELECT r.*, COALESCE(r.other_id, l.call_uuid) AS known
      FROM (SELECT call_id, min(at) AS at, max(other_id) AS other_id, max(revenue) AS revenue, max(payout) AS payout,
                   bool_or(converted) AS converted, count(*) AS n
            FROM reconcile_row WHERE run_id = %d AND side = 'R' GROUP BY call_id) r
      LEFT JOIN LATERAL (SELECT call_uuid FROM call_link WHERE id = r.call_id AND kind = 2
                         AND call_uuid IS NOT NULL LIMIT 1) l ON true""",
      // Two equi-joins (hash joins), not one OR (a nested loop over both sides).
      """
      CREATE TEMP TABLE rc_pair ON COMMIT DROP AS
      SELECT t.call_id AS td, r.call_id AS rb FROM rc_t t JOIN rc_r r ON r.call_id = t.known
      UNION
      SELECT t.call_id, r.call_id FROM rc_t t JOIN rc_r r ON r.known = t.call_id""",
      "ANALYZE rc_t, rc_r, rc_pair",
      // Both sides were read with a margin around the window (the platforms stamp one call seconds
      // apart): a call is the window's when its time (a pair's earlier side) lies within it.
      """
      CREATE TEMP TABLE rc_window ON COMMIT DROP AS SELECT window_from AS w_from, window_to AS w_to
      FROM reconcile_run WHERE id = %d""");

  /** How many calls of the window each side listed (margins left out). */
  static final String COUNTS = """
      SELECT (SELECT count(*) FROM rc_t, rc_window w WHERE rc_t.at IS NULL OR (rc_t.at >= w.w_from AND rc_t.at < w.w_to)) AS td,
             (SELECT count(*) FROM rc_r, rc_window w WHERE rc_r.at IS NULL OR (rc_r.at >= w.w_from AND rc_r.at < w.w_to)) AS rb""";

  /**
   * Every mismatch of a run, from the working tables of {@link #PREPARE}. The sides pair up when one
   * names the other (TrackDrive's contact field {@code ringba_call_uuid}, Ringba's tag
   * {@code trackdrive_call_uuid}) or correlation linked them. Money means what each platform means by
   * it: pattern 1, Ringba's payout is TrackDrive's revenue; pattern 2, TrackDrive's payout is Ringba's
   * revenue. A call with no money on either side that nothing links is not listed (it may be another
   * publisher's or buyer's call). CallBridge's outbox rows for the listed calls come from one pass over
   * the outbox (a hash semi-join), not a lookup per mismatch.
   */
  static final String MISMATCHES = """
      WITH paired AS (
        SELECT t.call_id AS td_call, r.call_id AS rb_call, t.subdomain, r.payout AS rb_payout, t.revenue AS td_revenue,
               t.payout AS td_payout, r.revenue AS rb_revenue, t.converted AS td_converted, r.converted AS rb_converted,
               -- Which way the call went, from who names whom: Ringba tags the TrackDrive call it got
               -- (pattern 1, TrackDrive the publisher); a TrackDrive contact field holds the Ringba call
               -- it bought (pattern 2). Named one way only, the other pattern's amounts are unrelated
               -- (in pattern 1, Ringba's revenue is its buyer's, TrackDrive's payout its own source's).
               NOT (t.other_id IS NOT NULL AND r.other_id IS NULL) AS pattern1,
               NOT (r.other_id IS NOT NULL AND t.other_id IS NULL) AS pattern2
        FROM rc_pair p JOIN rc_t t ON t.call_id = p.td JOIN rc_r r ON r.call_id = p.rb, rc_window w
        WHERE least(t.at, r.at) IS NULL OR (least(t.at, r.at) >= w.w_from AND least(t.at, r.at) < w.w_to)),
      t_in AS (SELECT t.* FROM rc_t t, rc_window w WHERE t.at IS NULL OR (t.at >= w.w_from AND t.at < w.w_to)),
      r_in AS (SELECT r.* FROM rc_r r, rc_window w WHERE r.at IS NULL OR (r.at >= w.w_from AND r.at < w.w_to)),
      found AS (
        SELECT 'duplicate' AS kind, t.call_id AS td_call, NULL::text AS rb_call, t.subdomain, NULL::numeric AS rb_payout,
               t.revenue AS td_revenue, t.payout AS td_payout, NULL::numeric AS rb_revenue, 0::numeric AS at_stake,
               'TrackDrive lists call ' || t.call_id || ' ' || t.n || ' times' AS detail
        FROM t_in t WHERE t.n > 1
        UNION ALL
        SELECT 'duplicate', NULL, r.call_id, NULL, r.payout, NULL, NULL, r.revenue, 0,
               'Ringba lists call ' || r.call_id || ' ' || r.n || ' times'
        FROM r_in r WHERE r.n > 1
        UNION ALL
        SELECT CASE WHEN t.known IS NULL THEN 'not_linked' ELSE 'missing_on_ringba' END, t.call_id, t.known,
               t.subdomain, NULL, t.revenue, t.payout, NULL, greatest(t.revenue, t.payout),
               CASE WHEN t.known IS NULL THEN 'TrackDrive call with money that no Ringba call names and correlation does not link'
                    ELSE 'TrackDrive names Ringba call ' || t.known || ', which Ringba''s call log for the window lacks' END
        FROM t_in t WHERE NOT EXISTS (SELECT 1 FROM rc_pair p WHERE p.td = t.call_id)
          AND (t.known IS NOT NULL OR t.revenue > 0 OR t.payout > 0)
        UNION ALL
        SELECT CASE WHEN r.known IS NULL THEN 'not_linked' ELSE 'missing_on_trackdrive' END, r.known, r.call_id,
               NULL, r.payout, NULL, NULL, r.revenue, greatest(r.revenue, r.payout),
               CASE WHEN r.known IS NULL THEN 'Ringba call with money that no TrackDrive call names and correlation does not link'
                    ELSE 'Ringba names TrackDrive call ' || r.known || ', which TrackDrive''s calls for the window lack' END
        FROM r_in r WHERE NOT EXISTS (SELECT 1 FROM rc_pair p WHERE p.rb = r.call_id)
          AND (r.known IS NOT NULL OR r.revenue > 0 OR r.payout > 0)
        UNION ALL
        SELECT 'amount_differs', td_call, rb_call, subdomain, rb_payout, td_revenue, td_payout, rb_revenue,
               abs(coalesce(rb_payout, 0) - coalesce(td_revenue, 0)),
               'Ringba''s payout ' || coalesce(rb_payout, 0) || ' is not TrackDrive''s revenue ' || coalesce(td_revenue, 0)
        FROM paired WHERE pattern1 AND abs(coalesce(rb_payout, 0) - coalesce(td_revenue, 0)) >= 0.01
        UNION ALL
        SELECT 'amount_differs', td_call, rb_call, subdomain, rb_payout, td_revenue, td_payout, rb_revenue,
               abs(coalesce(td_payout, 0) - coalesce(rb_revenue, 0)),
               'TrackDrive''s payout ' || coalesce(td_payout, 0) || ' is not Ringba''s revenue ' || coalesce(rb_revenue, 0)
        FROM paired WHERE pattern2 AND abs(coalesce(td_payout, 0) - coalesce(rb_revenue, 0)) >= 0.01
        UNION ALL
        SELECT 'converted_one_side', td_call, rb_call, subdomain, rb_payout, td_revenue, td_payout, rb_revenue,
               greatest(coalesce(rb_payout, 0), coalesce(td_revenue, 0)),
               CASE WHEN coalesce(td_converted, false) THEN 'converted on TrackDrive, but Ringba paid nothing'
                    ELSE 'Ringba paid ' || rb_payout || ', but TrackDrive did not convert the call' END
        FROM paired
        WHERE pattern1 AND (coalesce(rb_payout, 0) > 0 OR coalesce(td_revenue, 0) > 0)
          AND (coalesce(rb_payout, 0) > 0) IS DISTINCT FROM coalesce(td_converted, false)
        UNION ALL
        SELECT 'converted_one_side', td_call, rb_call, subdomain, rb_payout, td_revenue, td_payout, rb_revenue,
               td_payout, 'TrackDrive paid ' || td_payout || ', but Ringba did not convert the call'
        FROM paired WHERE pattern2 AND coalesce(td_payout, 0) > 0 AND NOT coalesce(rb_converted, false)),
      callbridge AS (
        SELECT o.call_id, json_agg(json_build_object('id', o.id, 'route', o.route, 'status', o.status,
                 'createdAt', o.created_at, 'lastError', o.last_error) ORDER BY o.id)::text AS rows
        FROM outbox o
        WHERE o.{mine} AND o.call_id IN (SELECT td_call FROM found UNION SELECT rb_call FROM found)
        GROUP BY o.call_id)
      SELECT f.*, t.rows AS callbridge_td, r.rows AS callbridge_rb
      FROM found f LEFT JOIN callbridge t ON t.call_id = f.td_call LEFT JOIN callbridge r ON r.call_id = f.rb_call
      ORDER BY f.kind, f.td_call NULLS LAST, f.rb_call NULLS LAST""".replace("o.{mine}", MINE);
}
