-- CallBridge schema baseline. Later migrations: V2 correlation links, V3 postback outbox, ...
-- Which instance started when, so an operator can see who has run against this database.
CREATE TABLE instance_start (
  id          bigserial PRIMARY KEY,
  host        text        NOT NULL,
  version     text        NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now()
);
