-- Retention of what grows with traffic (service_layer/retention.py, README "Retention"). The
-- periodic job deletes old rows a batch per transaction; these indexes let it find them. Rows that
-- are only ever inserted in time order (request records, inbox items, reminders, deliveries,
-- quarantined events) get a BRIN index on their time: it costs next to nothing on the insert path,
-- unlike a btree. Resolved alerts are found by when they resolved (a partial btree: alerts are
-- rewritten while open, and only resolved ones enter it).

-- When a request id was answered; rows written before this migration count from now.
ALTER TABLE request_log ADD COLUMN record_time timestamptz NOT NULL DEFAULT now();
CREATE INDEX request_log_by_age ON request_log USING brin (record_time);

-- When an alert resolved, beside its body (the follower writes both).
ALTER TABLE alerts ADD COLUMN resolve_time timestamptz;
UPDATE alerts SET resolve_time = coalesce(
    (body::jsonb ->> 'resolve_time')::timestamptz, pending_time) WHERE state = 3;
CREATE INDEX alerts_resolved_by_age ON alerts (resolve_time) WHERE state = 3;

CREATE INDEX deliveries_by_age ON deliveries USING brin (create_time);
CREATE INDEX inbox_items_by_age ON inbox_items USING brin (create_time);
CREATE INDEX buyer_reminders_by_age ON buyer_reminders USING brin (create_time);
CREATE INDEX quarantined_events_by_age ON quarantined_events USING brin (quarantine_time);
-- ListQuarantinedEvents pages a tenant's quarantined events, newest first.
CREATE INDEX quarantined_events_by_tenant
    ON quarantined_events (tenant_id, quarantine_time DESC, sequence DESC);
