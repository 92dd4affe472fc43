-- A lead's freshness: TrackDrive attaches an offer-token lead to the caller's *next* call, so a lead
-- sent late can land on the wrong call. Past stale_at the row is not sent: it goes dead (stale).
ALTER TABLE outbox ADD COLUMN stale_at timestamptz;

-- Corrections (a later, different absolute value for the same call) are delivered in order: a
-- correction waits while an earlier row of the same route and call is still pending.
CREATE INDEX outbox_call_pending ON outbox (route, call_id) WHERE status = 'pending';
