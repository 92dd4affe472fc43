-- The ids an unmatched postback waits for (one "kind:value" per line, e.g. "inboundCallId:RGB1"),
-- so that a link written by any instance wakes exactly the rows that wait for it.
ALTER TABLE outbox ADD COLUMN match_keys text;
CREATE INDEX outbox_unmatched_keys ON outbox USING gin (string_to_array(match_keys, E'\n'))
  WHERE status = 'unmatched';
