-- Correlation links (issue 5). One row per strong call id (TrackDrive call_uuid, Ringba
-- inboundCallId, RTB bidId, TrackDrive ping_id, lead id), each carrying the whole record as its
-- writer knew it, so any id finds the call with one primary-key read. Rows of one call are merged
-- in SQL by the write-behind upsert (a known id is never replaced by an empty one) and a read
-- follows one hop through the ids a row names, so links written by other instances meet.
-- Caller id is not a key: it is a column with its own index, resolved as "the most recently seen
-- call from that number within the window".
CREATE TABLE call_link (
  kind            smallint    NOT NULL,  -- 1 call_uuid, 2 inboundCallId, 3 bidId, 4 ping_id, 5 lead_id
  id              text        NOT NULL,
  call_uuid       text,
  subdomain       text,
  inbound_call_id text,
  bid_id          text,
  bid_amount      double precision,
  bid_expires_at  timestamptz,
  ping_id         text,
  lead_id         text,
  caller_id       text,
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  seen            jsonb       NOT NULL DEFAULT '{}',  -- per id kind: [route, epoch ms] of its first sighting
  PRIMARY KEY (kind, id)
);

CREATE INDEX call_link_caller ON call_link (caller_id, last_seen DESC) WHERE caller_id IS NOT NULL;
-- Retention deletes in batches by age.
CREATE INDEX call_link_last_seen ON call_link (last_seen);
