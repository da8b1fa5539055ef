-- The highest alert change sequence pruned from each tenant's log (see adapters/change_log.py):
-- WatchAlerts refuses a resume cursor behind it with WATCH_SEQUENCE_EXPIRED.
CREATE TABLE alert_change_horizons (
    tenant_id text PRIMARY KEY,
    pruned_through bigint NOT NULL
);
