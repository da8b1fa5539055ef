-- A receiver notified on several channels (an escalation chain) gets each notice, the resolution
-- included, once per channel: the channel is part of the dedup key.
DO $$
DECLARE
    name text;
BEGIN
    SELECT conname INTO name FROM pg_constraint
    WHERE conrelid = 'deliveries'::regclass AND contype = 'u';
    EXECUTE format('ALTER TABLE deliveries DROP CONSTRAINT %I', name);
END
$$;
ALTER TABLE deliveries
    ADD UNIQUE (tenant_id, receiver_id, alert_id, kind, escalation_step, channel, occurrence);
