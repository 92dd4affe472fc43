-- The durable outbox: every postback (and any other flow's durable delivery) is one row, committed
-- before the caller hears 202. The idempotency key is unique per route; a once-per-call destination
-- (Ringba's conversion webhook) has at most one row per call through once_key.
CREATE TABLE outbox (
  id               bigserial   PRIMARY KEY,
  flow             text        NOT NULL,               -- postback | lead | ...
  route            text        NOT NULL,
  idem_key         text        NOT NULL,
  once_key         text,                               -- destination + call id, only on once-per-call rows
  call_id          text,
  event_kind       text        NOT NULL,
  status           text        NOT NULL,               -- pending delivered dead unmatched conflict reconciled cancelled
  fingerprint      text        NOT NULL,               -- hash of what would be sent (tells a conflict from a copy)
  destination      text        NOT NULL,
  method           text        NOT NULL,
  uri              text        NOT NULL,               -- path + query, relative to the destination
  headers          jsonb       NOT NULL,
  body             bytea       NOT NULL,
  raw_method       text        NOT NULL,
  raw_query        text        NOT NULL,
  raw_body         bytea       NOT NULL,
  fields           jsonb       NOT NULL,               -- the parsed inbound fields, to re-render on replay
  request_id       text        NOT NULL,
  schedule_ms      bigint[]    NOT NULL,               -- delay before attempt 1, 2, ... (its length is the count)
  jitter           real        NOT NULL,
  attempts         int         NOT NULL DEFAULT 0,
  ambiguous        boolean     NOT NULL DEFAULT false, -- an earlier attempt may have reached the destination
  next_attempt_at  timestamptz NOT NULL,               -- due time; while leased, the lease's end
  lease_owner      text,
  related_id       bigint,                             -- a conflict's original row
  last_status      int,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  CONSTRAINT outbox_idem UNIQUE (route, idem_key),
  CONSTRAINT outbox_once UNIQUE (once_key)
);

-- What the delivery workers scan: only rows still to deliver, by due time.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_status_created ON outbox (status, created_at);
CREATE INDEX outbox_created ON outbox (created_at);

-- Every attempt: what happened, how long it took, a truncated answer.
CREATE TABLE outbox_attempt (
  id          bigserial   PRIMARY KEY,
  outbox_id   bigint      NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  attempt     int         NOT NULL,
  worker      text        NOT NULL,
  started_at  timestamptz NOT NULL,
  latency_ms  int         NOT NULL,
  outcome     text        NOT NULL,  -- delivered retry dead reconciled
  kind        text        NOT NULL,  -- ok http_error timeout refused reset breaker_open ...
  http_status int,
  error       text,
  response    text
);
CREATE INDEX outbox_attempt_row ON outbox_attempt (outbox_id);

-- Wakes delivery workers the moment new rows commit (NOTIFY is sent at commit, one per transaction);
-- one channel per schema, so instances on other schemas of the database are not woken.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left('callbridge_outbox_' || current_schema(), 63), '');
  RETURN NULL;
END $$;

CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
