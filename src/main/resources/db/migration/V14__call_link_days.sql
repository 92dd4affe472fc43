-- The links V13 kept from before it sit in call_link_default. Give each of their days a partition
-- of its own (and today one), so the default partition stays empty: a new day's partition is then
-- made without scanning a large default partition under an exclusive lock, and retention drops
-- the old links a day at a time like the rest.
ALTER TABLE call_link DETACH PARTITION call_link_default;
ALTER TABLE call_link_default RENAME TO call_link_moving;
CREATE TABLE call_link_default PARTITION OF call_link DEFAULT;

DO $$
DECLARE
  d date;
BEGIN
  FOR d IN SELECT DISTINCT (last_seen AT TIME ZONE 'UTC')::date FROM call_link_moving
           UNION SELECT (now() AT TIME ZONE 'UTC')::date
  LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF call_link FOR VALUES FROM (%L) TO (%L)',
      'call_link_' || to_char(d, 'YYYYMMDD'), d::text || 'T00:00:00Z', (d + 1)::text || 'T00:00:00Z');
  END LOOP;
END $$;

INSERT INTO call_link SELECT * FROM call_link_moving;
DROP TABLE call_link_moving;
