-- A fleet reconciles once per schedule period, not once per instance: a scheduled run is claimed
-- under a transaction-scoped advisory lock, and an instance skips its tick when another instance's
-- scheduled run started less than half a period ago (issue 21).
ALTER TABLE reconcile_run ADD COLUMN scheduled boolean NOT NULL DEFAULT false;
CREATE INDEX reconcile_run_scheduled ON reconcile_run (deployment, started_at DESC) WHERE scheduled;
