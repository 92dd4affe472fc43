-- Correlation links, append-only (issue 23). Each write-behind batch appends one row per platform
-- id of each record it carries — the whole record as its writer knew it — instead of upserting:
-- no ON CONFLICT (its speculative insertion and the unique B-tree probe on random ids were most of
-- PostgreSQL's CPU per new call), no jsonb, no B-tree on last_seen. A read gathers every row of the
-- id and one hop through the ids they name, and merges them in CallBridge (CallRecord.merge: a known
-- id is never replaced by an empty one; the bid sighted last wins), so rows written by other
-- instances, and older snapshots, meet as they did in the upsert.
--   * Lookups by id use a hash index (equality only: cheaper to insert than a B-tree on random text).
--   * caller_key is the caller id on one row per record (its first id's), so a call costs one caller
--     index entry, not one per id; caller_id stays on every row.
--   * Partitioned by day of last_seen: retention drops whole days (CallBridge creates the days ahead;
--     rows of a day with no partition, and the links kept from before this migration, are in
--     call_link_default, which retention deletes from by row).
--   * CallBridge does not rewrite a record whose only change is last_seen within a minute of its
--     last write (a call pinged again and again), so a busy call does not pile up rows.
ALTER TABLE call_link RENAME TO call_link_v12;

CREATE TABLE call_link (
  kind            smallint    NOT NULL,  -- 1 call_uuid, 2 inboundCallId, 3 bidId, 4 ping_id, 5 lead_id
  id              text        COLLATE "C" NOT NULL,
  call_uuid       text,
  subdomain       text,
  inbound_call_id text,
  bid_id          text,
  bid_amount      double precision,
  bid_expires_at  timestamptz,
  ping_id         text,
  lead_id         text,
  caller_id       text,
  caller_key      text        COLLATE "C",
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  seen            text        NOT NULL DEFAULT '{}'  -- per id kind: [route, epoch ms] of its first sighting (JSON)
) PARTITION BY RANGE (last_seen);

CREATE TABLE call_link_default PARTITION OF call_link DEFAULT;

INSERT INTO call_link (kind, id, call_uuid, subdomain, inbound_call_id, bid_id, bid_amount, bid_expires_at, ping_id,
  lead_id, caller_id, caller_key, first_seen, last_seen, seen)
SELECT kind, id, call_uuid, subdomain, inbound_call_id, bid_id, bid_amount, bid_expires_at, ping_id, lead_id, caller_id,
  caller_id, first_seen, last_seen, seen::text
FROM call_link_v12;

DROP TABLE call_link_v12;

CREATE INDEX call_link_id ON call_link USING hash (id);
CREATE INDEX call_link_caller ON call_link USING hash (caller_key) WHERE caller_key IS NOT NULL;
