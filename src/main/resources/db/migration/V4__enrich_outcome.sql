-- What each enrich fan-out did (issue 8): per route and call, the answer's verdict and every
-- target's outcome, shown with the call's record at GET /admin/calls/{anyId}. Written behind the
-- answer (never awaited); a repeat of the call within the route's repeatWindow writes nothing.
-- Removed after correlation.retention, like the call links.
CREATE TABLE enrich_outcome (
  route      text        NOT NULL,
  call_uuid  text        NOT NULL,
  subdomain  text        NOT NULL DEFAULT '',
  at         timestamptz NOT NULL,
  mode       text        NOT NULL,
  accept     boolean     NOT NULL,
  targets    jsonb       NOT NULL,
  PRIMARY KEY (call_uuid, subdomain, route)
);

CREATE INDEX enrich_outcome_at ON enrich_outcome (route, at);
