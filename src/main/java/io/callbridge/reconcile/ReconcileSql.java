package io.callbridge.reconcile;

/** The statements of a reconciliation run. */
final class ReconcileSql {
  private ReconcileSql() {}

  private static final String MINE = "deployment = COALESCE(current_setting('callbridge.deployment', true), 'default')";

  static final String START = "INSERT INTO reconcile_run (window_from, window_to) VALUES ($1, $2) RETURNING id";

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
      SELECT $1, $2, u.call_id, u.subdomain, u.other_id, u.at, u.revenue, u.payout, u.converted
      FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[], $8::float8[], $9::boolean[])
        AS u(call_id, subdomain, other_id, at, revenue, payout, converted)""";

  /**
   * Every mismatch of a run. The sides pair up when one names the other (TrackDrive's contact field
   * {@code ringba_call_uuid}, Ringba's tag {@code trackdrive_call_uuid}) or correlation linked them.
   * Money means what each platform means by it: pattern 1, Ringba's payout is TrackDrive's revenue;
   * pattern 2, TrackDrive's payout is Ringba's revenue. A call with no money on either side that
   * nothing links is not listed (it may be another publisher's or buyer's call).
   */
  static final String MISMATCHES = """
      WITH t AS (
        SELECT call_id, max(subdomain) AS subdomain, max(other_id) AS other_id, max(revenue) AS revenue,
               max(payout) AS payout, bool_or(converted) AS converted, count(*) AS n
        FROM reconcile_row WHERE run_id = $1 AND side = 'T' GROUP BY call_id),
      r AS (
        SELECT call_id, max(other_id) AS other_id, max(revenue) AS revenue, max(payout) AS payout,
               bool_or(converted) AS converted, count(*) AS n
        FROM reconcile_row WHERE run_id = $1 AND side = 'R' GROUP BY call_id),
      tl AS (SELECT t.*, COALESCE(t.other_id, l.inbound_call_id) AS rb_known
             FROM t LEFT JOIN call_link l ON l.kind = 1 AND l.id = t.call_id),
      rl AS (SELECT r.*, COALESCE(r.other_id, l.call_uuid) AS td_known
             FROM r LEFT JOIN call_link l ON l.kind = 2 AND l.id = r.call_id),
      -- Two equi-joins (hash joins), not one OR (a nested loop over both sides).
      pairs AS (SELECT tl.call_id AS td, rl.call_id AS rb FROM tl JOIN rl ON rl.call_id = tl.rb_known
                UNION
                SELECT tl.call_id, rl.call_id FROM tl JOIN rl ON rl.td_known = tl.call_id),
      found AS (
        SELECT 'duplicate' AS kind, t.call_id AS td_call, NULL::text AS rb_call, t.subdomain, NULL::numeric AS rb_payout,
               t.revenue AS td_revenue, t.payout AS td_payout, NULL::numeric AS rb_revenue, 0::numeric AS at_stake,
               'TrackDrive lists call ' || t.call_id || ' ' || t.n || ' times' AS detail
        FROM t WHERE t.n > 1
        UNION ALL
        SELECT 'duplicate', NULL, r.call_id, NULL, r.payout, NULL, NULL, r.revenue, 0,
               'Ringba lists call ' || r.call_id || ' ' || r.n || ' times'
        FROM r WHERE r.n > 1
        UNION ALL
        SELECT CASE WHEN tl.rb_known IS NULL THEN 'not_linked' ELSE 'missing_on_ringba' END, tl.call_id, tl.rb_known,
               tl.subdomain, NULL, tl.revenue, tl.payout, NULL, greatest(tl.revenue, tl.payout),
               CASE WHEN tl.rb_known IS NULL THEN 'TrackDrive call with money that no Ringba call names and correlation does not link'
                    ELSE 'TrackDrive names Ringba call ' || tl.rb_known || ', which Ringba''s call log for the window lacks' END
        FROM tl WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.td = tl.call_id)
          AND (tl.rb_known IS NOT NULL OR tl.revenue > 0 OR tl.payout > 0)
        UNION ALL
        SELECT CASE WHEN rl.td_known IS NULL THEN 'not_linked' ELSE 'missing_on_trackdrive' END, rl.td_known, rl.call_id,
               NULL, rl.payout, NULL, NULL, rl.revenue, greatest(rl.revenue, rl.payout),
               CASE WHEN rl.td_known IS NULL THEN 'Ringba call with money that no TrackDrive call names and correlation does not link'
                    ELSE 'Ringba names TrackDrive call ' || rl.td_known || ', which TrackDrive''s calls for the window lack' END
        FROM rl WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.rb = rl.call_id)
          AND (rl.td_known IS NOT NULL OR rl.revenue > 0 OR rl.payout > 0)
        UNION ALL
        SELECT 'amount_differs', t.call_id, r.call_id, t.subdomain, r.payout, t.revenue, t.payout, r.revenue,
               abs(coalesce(r.payout, 0) - coalesce(t.revenue, 0)),
               'Ringba''s payout ' || coalesce(r.payout, 0) || ' is not TrackDrive''s revenue ' || coalesce(t.revenue, 0)
        FROM pairs p JOIN t ON t.call_id = p.td JOIN r ON r.call_id = p.rb
        WHERE abs(coalesce(r.payout, 0) - coalesce(t.revenue, 0)) >= 0.01
        UNION ALL
        SELECT 'amount_differs', t.call_id, r.call_id, t.subdomain, r.payout, t.revenue, t.payout, r.revenue,
               abs(coalesce(t.payout, 0) - coalesce(r.revenue, 0)),
               'TrackDrive''s payout ' || coalesce(t.payout, 0) || ' is not Ringba''s revenue ' || coalesce(r.revenue, 0)
        FROM pairs p JOIN t ON t.call_id = p.td JOIN r ON r.call_id = p.rb
        WHERE abs(coalesce(t.payout, 0) - coalesce(r.revenue, 0)) >= 0.01
        UNION ALL
        SELECT 'converted_one_side', t.call_id, r.call_id, t.subdomain, r.payout, t.revenue, t.payout, r.revenue,
               greatest(coalesce(r.payout, 0), coalesce(t.revenue, 0)),
               CASE WHEN coalesce(t.converted, false) THEN 'converted on TrackDrive, but Ringba paid nothing'
                    ELSE 'Ringba paid ' || r.payout || ', but TrackDrive did not convert the call' END
        FROM pairs p JOIN t ON t.call_id = p.td JOIN r ON r.call_id = p.rb
        WHERE (coalesce(r.payout, 0) > 0 OR coalesce(t.revenue, 0) > 0)
          AND (coalesce(r.payout, 0) > 0) IS DISTINCT FROM coalesce(t.converted, false)
        UNION ALL
        SELECT 'converted_one_side', t.call_id, r.call_id, t.subdomain, r.payout, t.revenue, t.payout, r.revenue,
               t.payout, 'TrackDrive paid ' || t.payout || ', but Ringba did not convert the call'
        FROM pairs p JOIN t ON t.call_id = p.td JOIN r ON r.call_id = p.rb
        WHERE coalesce(t.payout, 0) > 0 AND NOT coalesce(r.converted, false))
      SELECT f.*, (SELECT json_agg(json_build_object('id', o.id, 'route', o.route, 'status', o.status,
                     'createdAt', o.created_at, 'lastError', o.last_error) ORDER BY o.id)::text
                   FROM outbox o WHERE o.call_id IN (f.td_call, f.rb_call) AND o.{mine}) AS callbridge
      FROM found f ORDER BY f.kind, f.td_call NULLS LAST, f.rb_call NULLS LAST""".replace("o.{mine}", MINE);
}
