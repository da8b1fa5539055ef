-- Inventory events the follower could not apply on their own because applying them failed the
-- same way every time (a bug or a stored value the code cannot read; see service_layer/poison.py).
-- The follower records each here, logs it at ERROR and moves its checkpoint past it, so one
-- tenant's poisoned event no longer stops alerting for every tenant. Nothing is dropped silently:
-- the row names the event, and the event itself is still in inventory's log under its sequence.
CREATE TABLE quarantined_events (
    follower text NOT NULL,
    sequence bigint NOT NULL,
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    occur_time timestamptz NOT NULL,
    error text NOT NULL,
    quarantine_time timestamptz NOT NULL,
    PRIMARY KEY (follower, sequence)
);
