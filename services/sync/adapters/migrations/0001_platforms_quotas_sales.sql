-- sync's state: platforms, allocation policies, per-platform quotas of each SKU (escrow holds in
-- inventory), the sale lines applied from platform reports, idempotent request results and
-- reconciliation runs.

CREATE TABLE platforms (
    tenant_id            text        NOT NULL,
    platform_id          text        NOT NULL,
    display_name         text        NOT NULL DEFAULT '',
    mode                 smallint    NOT NULL,
    endpoint_kind        smallint    NOT NULL DEFAULT 0,
    endpoint_url         text        NOT NULL DEFAULT '',
    credentials_ref      text        NOT NULL DEFAULT '',
    request_timeout_s    float8      NOT NULL DEFAULT 2,
    ack_timeout_s        float8      NOT NULL DEFAULT 60,
    disabled             boolean     NOT NULL DEFAULT false,
    reachable            boolean     NOT NULL DEFAULT true,
    consecutive_failures integer     NOT NULL DEFAULT 0,
    last_success_time    timestamptz,
    last_failure_time    timestamptz,
    last_error           text        NOT NULL DEFAULT '',
    create_time          timestamptz NOT NULL DEFAULT now(),
    update_time          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, platform_id)
);

CREATE TABLE allocation_policies (
    tenant_id           text        NOT NULL,
    sku_id              text        NOT NULL,  -- '' is the tenant default
    enabled             boolean     NOT NULL,
    pool_reserve_units  bigint      NOT NULL DEFAULT 0,
    shares              jsonb       NOT NULL DEFAULT '[]',
    hysteresis_units    bigint      NOT NULL DEFAULT 1,
    hysteresis_fraction float8      NOT NULL DEFAULT 0.1,
    half_life_s         float8      NOT NULL DEFAULT 300,
    update_time         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE quotas (
    tenant_id            text        NOT NULL,
    sku_id               text        NOT NULL,
    platform_id          text        NOT NULL,
    quota_units          bigint      NOT NULL DEFAULT 0 CHECK (quota_units >= 0),
    listed_units         bigint      NOT NULL DEFAULT 0,
    pushed_listed_units  bigint      NOT NULL DEFAULT 0,
    pushed_sold_applied  bigint      NOT NULL DEFAULT 0,
    sold_units           bigint      NOT NULL DEFAULT 0,   -- net of returns
    consumed_units       bigint      NOT NULL DEFAULT 0,   -- gross units consumed from escrow
    returned_units       bigint      NOT NULL DEFAULT 0,   -- units given back by ReturnSold
    pushed_version       bigint      NOT NULL DEFAULT 0,
    acknowledged_version bigint      NOT NULL DEFAULT 0,
    platform_sold_units  bigint,
    target_units         bigint      NOT NULL DEFAULT 0,
    velocity_rate        float8      NOT NULL DEFAULT 0,   -- units per second, smoothed
    velocity_time        float8      NOT NULL DEFAULT 0,   -- epoch seconds of velocity_rate
    reservation_id       text        NOT NULL DEFAULT '',
    escrow_seq           bigint      NOT NULL DEFAULT 0,   -- numbers escrow changes for request ids
    push_status          smallint    NOT NULL DEFAULT 1,
    shrink_pending       boolean     NOT NULL DEFAULT false,
    needs_push           boolean     NOT NULL DEFAULT false,
    last_push_time       timestamptz,
    last_ack_time        timestamptz,
    update_time          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sku_id, platform_id)
);

CREATE INDEX quotas_by_platform ON quotas (tenant_id, platform_id, sku_id);

CREATE TABLE sku_rebalances (
    tenant_id           text        NOT NULL,
    sku_id              text        NOT NULL,
    last_rebalance_time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE sale_lines (
    tenant_id     text        NOT NULL,
    platform_id   text        NOT NULL,
    order_id      text        NOT NULL,
    line_id       text        NOT NULL,
    kind          smallint    NOT NULL,
    sku_id        text        NOT NULL,
    quantity      bigint      NOT NULL,   -- a SALE's units, or a return's highest running total
    applied_units bigint      NOT NULL,   -- units applied to inventory so far
    occur_time    timestamptz,
    report_time   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, platform_id, order_id, line_id, kind)
);

CREATE TABLE request_results (
    tenant_id   text        NOT NULL,
    method      text        NOT NULL,
    request_id  text        NOT NULL,
    fingerprint text        NOT NULL,
    response    bytea       NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, method, request_id)
);

CREATE TABLE reconciliations (
    tenant_id          text        NOT NULL,
    reconciliation_id  text        NOT NULL,
    trigger            smallint    NOT NULL,
    state              smallint    NOT NULL,
    platform_id        text        NOT NULL DEFAULT '',
    sku_ids            text[]      NOT NULL DEFAULT '{}',
    repair             boolean     NOT NULL,
    start_time         timestamptz NOT NULL,
    finish_time        timestamptz,
    checked_pair_count integer     NOT NULL DEFAULT 0,
    drift_count        integer     NOT NULL DEFAULT 0,
    drifts             jsonb       NOT NULL DEFAULT '[]',
    error              text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, reconciliation_id)
);

CREATE INDEX reconciliations_newest ON reconciliations (tenant_id, start_time DESC);
