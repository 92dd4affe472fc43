-- Every admin mutation (replay, bulk replay, cancel, and later reconciliation fixes): when, by which
-- token (its name, never its value) and role, what, on what, how many rows it changed, and the
-- answer's status. Readable through GET /admin/audit; never purged by retention.
CREATE TABLE admin_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  deployment  text NOT NULL DEFAULT COALESCE(current_setting('callbridge.deployment', true), 'default'),
  token_name  text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  target      text NOT NULL,
  rows        integer NOT NULL,
  status      integer NOT NULL,
  detail      jsonb
);
CREATE INDEX admin_audit_at ON admin_audit (deployment, at DESC);
