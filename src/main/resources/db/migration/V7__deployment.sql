-- Which deployment an outbox row belongs to. Every CallBridge connection names its deployment in
-- the callbridge.deployment setting (from the configuration's `deployment`); rows take it when
-- stored, and an instance claims, delivers, replays and cancels only its own deployment's rows, so
-- an instance pointed at another deployment's database by mistake never sends that deployment's
-- postbacks to its own destinations.
ALTER TABLE outbox ADD COLUMN deployment text NOT NULL
  DEFAULT COALESCE(current_setting('callbridge.deployment', true), 'default');
