-- Reconciliation (issue 21): each run reads both platforms' own records of a window's calls into
-- reconcile_row, a page at a time (so a window of 100,000 calls is never all in memory), then one
-- query joins the two sides — through the ids each platform keeps of the other and through
-- correlation — and names every call whose money differs.
CREATE TABLE reconcile_run (
  id           bigserial PRIMARY KEY,
  deployment   text NOT NULL DEFAULT COALESCE(current_setting('callbridge.deployment', true), 'default'),
  started_at   timestamptz NOT NULL DEFAULT now(),
  window_from  timestamptz NOT NULL,
  window_to    timestamptz NOT NULL,
  finished_at  timestamptz,
  trackdrive_rows integer,
  ringba_rows  integer,
  mismatches   integer,
  error        text
);

-- side: 'T' a TrackDrive call (call_id its uuid, other_id the Ringba id in its contact field),
-- 'R' a Ringba call (call_id its inboundCallId, other_id the TrackDrive uuid in its tag).
-- TrackDrive: revenue (what Ringba pays it, pattern 1), payout (what it pays Ringba, pattern 2);
-- Ringba: payout (payoutAmount, pattern 1), revenue (conversionAmount, pattern 2).
CREATE TABLE reconcile_row (
  run_id     bigint NOT NULL REFERENCES reconcile_run (id) ON DELETE CASCADE,
  side       char(1) NOT NULL,
  call_id    text NOT NULL,
  subdomain  text,
  other_id   text,
  at         timestamptz,
  revenue    numeric(12, 2),
  payout     numeric(12, 2),
  converted  boolean
);
CREATE INDEX reconcile_row_call ON reconcile_row (run_id, side, call_id);
CREATE INDEX reconcile_row_other ON reconcile_row (run_id, side, other_id);
