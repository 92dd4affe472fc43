-- Each run's mismatches, numbered, so an operator can fix one by its number (POST /admin/reconcile/fix).
CREATE TABLE reconcile_mismatch (
  run_id     bigint NOT NULL REFERENCES reconcile_run (id) ON DELETE CASCADE,
  n          integer NOT NULL,
  kind       text NOT NULL,
  td_call    text,
  rb_call    text,
  subdomain  text,
  rb_payout  numeric(12, 2),
  td_revenue numeric(12, 2),
  td_payout  numeric(12, 2),
  rb_revenue numeric(12, 2),
  detail     text NOT NULL,
  PRIMARY KEY (run_id, n)
);
