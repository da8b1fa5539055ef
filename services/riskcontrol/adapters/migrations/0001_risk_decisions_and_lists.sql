-- Audited decisions: one row per Assess, reasons and the whole record as JSON; IP addresses and
-- device ids only as keyed hashes.
CREATE TABLE decisions (
    tenant_id       text        NOT NULL,
    decision_id     text        NOT NULL,
    request_id      text        NOT NULL,
    assess_time     timestamptz NOT NULL,
    user_id         text        NOT NULL,
    order_id        text        NOT NULL,
    ip_hash         text        NOT NULL,
    device_hash     text        NOT NULL,
    sku_ids         text[]      NOT NULL,
    rule_ids        text[]      NOT NULL,
    decision        smallint    NOT NULL,
    shadow_decision smallint    NOT NULL,
    record          jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, decision_id)
);
CREATE UNIQUE INDEX decisions_request ON decisions (tenant_id, request_id);
CREATE INDEX decisions_newest ON decisions (tenant_id, assess_time DESC, decision_id DESC);
CREATE INDEX decisions_user ON decisions (tenant_id, user_id, assess_time DESC);
CREATE INDEX decisions_skus ON decisions USING gin (sku_ids);

-- Allow and deny entries; removed and expired entries stay for the audit.
CREATE TABLE access_list_entries (
    tenant_id   text        NOT NULL,
    entry_id    text        NOT NULL,
    list        smallint    NOT NULL,
    key_level   smallint    NOT NULL,
    key         text        NOT NULL,
    expire_time timestamptz NOT NULL,
    note        text        NOT NULL,
    created_by  text        NOT NULL,
    update_time timestamptz NOT NULL,
    removed     boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, entry_id)
);
CREATE UNIQUE INDEX access_list_live_key ON access_list_entries (tenant_id, key) WHERE NOT removed;
CREATE INDEX access_list_newest ON access_list_entries (tenant_id, update_time DESC, entry_id DESC);

-- Each tenant's RPC override of the document's global shadow switch.
CREATE TABLE shadow_overrides (
    tenant_id   text        PRIMARY KEY,
    override    smallint    NOT NULL,
    reason      text        NOT NULL,
    update_time timestamptz NOT NULL
);

-- External outcomes reported on orders.
CREATE TABLE outcomes (
    tenant_id    text        NOT NULL,
    outcome_id   text        NOT NULL,
    kind         smallint    NOT NULL,
    details      jsonb       NOT NULL,
    updated_keys text[]      NOT NULL DEFAULT '{}',
    record_time  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, outcome_id)
);

-- Idempotency of the mutations kept in PostgreSQL: the first result of each request id.
CREATE TABLE requests (
    tenant_id   text        NOT NULL,
    request_id  text        NOT NULL,
    fingerprint text        NOT NULL,
    result      jsonb       NOT NULL,
    record_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, request_id)
);

-- The last inventory event sequence each feedback consumer processed.
CREATE TABLE feedback_cursors (
    consumer      text        PRIMARY KEY,
    last_sequence bigint      NOT NULL,
    update_time   timestamptz NOT NULL DEFAULT now()
);
