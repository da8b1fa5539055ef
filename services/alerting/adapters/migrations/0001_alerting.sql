-- alerting: plans, policies, receivers, derived alert state, the delivery outbox and its sources.

-- The last inventory event sequence folded into the state below, written in the same transaction.
CREATE TABLE follower_checkpoints (
    follower text PRIMARY KEY,
    last_sequence bigint NOT NULL
);

-- The latest counters of every SKU seen on the event stream (baseline for sessions that start).
CREATE TABLE sku_levels (
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    on_hand bigint NOT NULL,
    withheld bigint NOT NULL,
    reserved bigint NOT NULL,
    sold bigint NOT NULL,
    sellable bigint NOT NULL,
    observed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE plans (
    tenant_id text NOT NULL,
    session_id text NOT NULL,
    sku_id text NOT NULL,
    title text NOT NULL,
    forecast_units bigint NOT NULL CHECK (forecast_units > 0),
    start_time timestamptz NOT NULL,
    end_time timestamptz NOT NULL,
    restock_lead_seconds double precision NOT NULL,
    forecast_confidence double precision NOT NULL,
    buffer_factor double precision NOT NULL,
    ended_time timestamptz,
    create_time timestamptz NOT NULL,
    update_time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id, sku_id),
    CHECK (end_time > start_time)
);
CREATE INDEX plans_by_sku ON plans (tenant_id, sku_id, start_time DESC);

CREATE TABLE session_consumption (
    tenant_id text NOT NULL,
    session_id text NOT NULL,
    sku_id text NOT NULL,
    baseline_units bigint NOT NULL,
    consumed_units bigint NOT NULL,
    restocked_units bigint NOT NULL,
    sellable_units bigint NOT NULL,
    burn_rate double precision NOT NULL,
    burn_observed_at timestamptz NOT NULL,
    early_peak_fraction double precision NOT NULL,
    PRIMARY KEY (tenant_id, session_id, sku_id)
);

-- One sample per second of event time, for the expected-versus-actual curve.
CREATE TABLE consumption_samples (
    tenant_id text NOT NULL,
    session_id text NOT NULL,
    sku_id text NOT NULL,
    observed_second timestamptz NOT NULL,
    consumed_units bigint NOT NULL,
    sellable_units bigint NOT NULL,
    PRIMARY KEY (tenant_id, session_id, sku_id, observed_second)
);

-- sku_id '' is the tenant default.
CREATE TABLE alert_policies (
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    body jsonb NOT NULL,
    update_time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE receivers (
    tenant_id text NOT NULL,
    receiver_id text NOT NULL,
    body jsonb NOT NULL,
    create_time timestamptz NOT NULL,
    update_time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, receiver_id)
);

CREATE TABLE alerts (
    alert_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    session_id text NOT NULL,
    tier smallint NOT NULL,
    state smallint NOT NULL,
    acknowledged boolean NOT NULL,
    pending_time timestamptz NOT NULL,
    sequence bigint NOT NULL,
    body jsonb NOT NULL
);
-- Dedup that survives restarts: one open alert per tenant, SKU, session and tier.
CREATE UNIQUE INDEX alerts_one_open ON alerts (tenant_id, sku_id, session_id, tier) WHERE state <> 3;
CREATE INDEX alerts_by_time ON alerts (tenant_id, pending_time DESC, alert_id DESC);

-- The change log that WatchAlerts streams.
CREATE TABLE alert_changes (
    sequence bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    alert_id text NOT NULL,
    change smallint NOT NULL,
    change_time timestamptz NOT NULL,
    body jsonb NOT NULL
);
CREATE INDEX alert_changes_by_tenant ON alert_changes (tenant_id, sequence);

-- The transactional outbox of notifications. The unique key is the dedup of receiver and alert.
CREATE TABLE deliveries (
    delivery_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    alert_id text NOT NULL,
    sku_id text NOT NULL,
    receiver_id text NOT NULL,
    channel smallint NOT NULL,
    kind smallint NOT NULL,
    escalation_step integer NOT NULL,
    occurrence integer NOT NULL,
    status smallint NOT NULL,
    attempt_count integer NOT NULL DEFAULT 0,
    idempotency_key text NOT NULL,
    create_time timestamptz NOT NULL,
    due_time timestamptz NOT NULL,
    next_attempt_time timestamptz,
    claimed_until timestamptz,
    last_attempt_time timestamptz,
    deliver_time timestamptz,
    last_error text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, receiver_id, alert_id, kind, escalation_step, occurrence)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_time) WHERE status IN (1, 2);
CREATE INDEX deliveries_by_alert ON deliveries (tenant_id, alert_id);
CREATE INDEX deliveries_by_time ON deliveries (tenant_id, create_time DESC, delivery_id DESC);

CREATE TABLE inbox_items (
    item_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    receiver_id text NOT NULL,
    alert_id text NOT NULL,
    kind smallint NOT NULL,
    create_time timestamptz NOT NULL
);
CREATE INDEX inbox_by_receiver ON inbox_items (tenant_id, receiver_id, create_time DESC, item_id DESC);

-- Sale actions (pause or stop through inventory), an outbox beside the deliveries.
CREATE TABLE sale_actions (
    alert_id text NOT NULL,
    action smallint NOT NULL,
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    status smallint NOT NULL,
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_time timestamptz,
    claimed_until timestamptz,
    detail text NOT NULL DEFAULT '',
    PRIMARY KEY (alert_id, action)
);
CREATE INDEX sale_actions_due ON sale_actions (next_attempt_time) WHERE status = 1;

CREATE TABLE reminder_settings (
    tenant_id text PRIMARY KEY,
    body jsonb NOT NULL,
    update_time timestamptz NOT NULL
);

-- At most one reminder per hold, ever.
CREATE TABLE buyer_reminders (
    reminder_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    reservation_id text NOT NULL,
    user_id text NOT NULL,
    order_id text NOT NULL,
    sku_ids text[] NOT NULL,
    platform_id text NOT NULL,
    hold_expire_time timestamptz,
    status smallint NOT NULL,
    attempt_count integer NOT NULL DEFAULT 0,
    create_time timestamptz NOT NULL,
    send_time timestamptz,
    detail text NOT NULL DEFAULT '',
    webhook jsonb,
    next_attempt_time timestamptz,
    claimed_until timestamptz,
    UNIQUE (tenant_id, reservation_id)
);
CREATE INDEX buyer_reminders_due ON buyer_reminders (next_attempt_time) WHERE status = 1;
CREATE INDEX buyer_reminders_by_time ON buyer_reminders (tenant_id, create_time DESC, reminder_id DESC);

-- Idempotency of mutations on request_id.
CREATE TABLE request_log (
    tenant_id text NOT NULL,
    request_id text NOT NULL,
    method text NOT NULL,
    fingerprint text NOT NULL,
    response bytea NOT NULL,
    PRIMARY KEY (tenant_id, request_id)
);

CREATE INDEX session_consumption_by_sku ON session_consumption (tenant_id, sku_id);
CREATE INDEX alerts_open_by_sku ON alerts (tenant_id, sku_id) WHERE state <> 3;
