-- A bid the ping shield answered a second call with: the bid's own call_link row names the first
-- call; each further call that got the same bid is a row here. A postback matched by that bid id
-- is then ambiguous (several calls got the same number), never credited to the first call.
CREATE TABLE shared_bid (
  bid_id     text        NOT NULL,
  call_uuid  text        NOT NULL,
  subdomain  text,
  at         timestamptz NOT NULL,
  PRIMARY KEY (bid_id, call_uuid)
);
CREATE INDEX shared_bid_at ON shared_bid (at);
