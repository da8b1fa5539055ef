-- Stock counters, holds, the ledger, the event log and idempotency keys of inventory.

CREATE TABLE skus (
    tenant_id        text        NOT NULL,
    sku_id           text        NOT NULL,
    title            text        NOT NULL,
    on_hand          bigint      NOT NULL,
    withheld         bigint      NOT NULL,
    reserved         bigint      NOT NULL,
    sold             bigint      NOT NULL,
    withheld_by_kind jsonb       NOT NULL DEFAULT '{}',
    sale_status      smallint    NOT NULL,
    policy           jsonb       NOT NULL,
    version          bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sku_id),
    -- The database refuses oversell even if the application had a bug.
    CONSTRAINT counters_not_negative CHECK (on_hand >= 0 AND withheld >= 0 AND reserved >= 0 AND sold >= 0),
    CONSTRAINT sellable_not_negative CHECK (on_hand - withheld - reserved >= 0)
);

-- Reservations change state in place; no index covers a column that settling changes, and pages
-- keep room for a second version of every row (holds of a burst share pages and expire
-- together), so settling a hold is a heap-only (HOT) update.
CREATE TABLE reservations (
    tenant_id          text        NOT NULL,
    reservation_id     text        NOT NULL,
    user_id            text        NOT NULL,
    order_id           text        NOT NULL,
    state              smallint    NOT NULL,
    lock_stage         smallint    NOT NULL,
    purpose            smallint    NOT NULL,
    platform_id        text        NOT NULL,
    ip                 text        NOT NULL,
    device_id          text        NOT NULL,
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz,
    settled_at         timestamptz,
    extension_count    integer     NOT NULL DEFAULT 0,
    payment_reference  text        NOT NULL DEFAULT '',
    release_reason     smallint,
    risk_decision_id   text        NOT NULL DEFAULT '',
    expiring_soon_sent boolean     NOT NULL DEFAULT false,
    notify_at          timestamptz,
    PRIMARY KEY (tenant_id, reservation_id)
) WITH (fillfactor = 50);
CREATE INDEX reservations_by_user ON reservations (tenant_id, user_id, created_at DESC);
CREATE INDEX reservations_by_order ON reservations (tenant_id, order_id, created_at DESC);

CREATE TABLE reservation_lines (
    tenant_id      text   NOT NULL,
    reservation_id text   NOT NULL,
    sku_id         text   NOT NULL,
    quantity       bigint NOT NULL CHECK (quantity >= 0),
    consumed       bigint NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    PRIMARY KEY (tenant_id, reservation_id, sku_id),
    FOREIGN KEY (tenant_id, reservation_id) REFERENCES reservations ON DELETE CASCADE
) WITH (fillfactor = 90);
CREATE INDEX reservation_lines_by_sku ON reservation_lines (tenant_id, sku_id, reservation_id);

-- The lines of ACTIVE holds only, with their deadline and "expiring soon" time: a row is inserted
-- with the hold and deleted when it settles. "Units of this SKU held by due holds" (reads never
-- count them), the sweeper's work list and the notices to send are index range scans here.
CREATE TABLE live_holds (
    tenant_id      text        NOT NULL,
    reservation_id text        NOT NULL,
    sku_id         text        NOT NULL,
    quantity       bigint      NOT NULL CHECK (quantity >= 0),
    expires_at     timestamptz,
    notify_at      timestamptz,
    PRIMARY KEY (tenant_id, reservation_id, sku_id)
);
CREATE INDEX live_holds_by_sku ON live_holds (tenant_id, sku_id, expires_at);
CREATE INDEX live_holds_due ON live_holds (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX live_holds_notify ON live_holds (notify_at) WHERE notify_at IS NOT NULL;

-- Units each buyer holds or bought per SKU (ACTIVE + CONFIRMED buyer holds), for purchase limits.
CREATE TABLE user_holdings (
    tenant_id text   NOT NULL,
    sku_id    text   NOT NULL,
    user_id   text   NOT NULL,
    quantity  bigint NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (tenant_id, sku_id, user_id)
);

CREATE TABLE ledger (
    entry_id       bigserial   PRIMARY KEY,
    tenant_id      text        NOT NULL,
    sku_id         text        NOT NULL,
    reason         smallint    NOT NULL,
    on_hand_delta  bigint      NOT NULL,
    withheld_delta bigint      NOT NULL,
    reserved_delta bigint      NOT NULL,
    sold_delta     bigint      NOT NULL,
    reference      text        NOT NULL,
    note           text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL
);
CREATE INDEX ledger_by_sku ON ledger (tenant_id, sku_id, entry_id);

-- The gap-free event log. The single counter row hands out sequence numbers under a row lock held
-- to commit, so transactions commit in sequence order and a reader never sees a hole.
CREATE TABLE event_sequence (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    last bigint  NOT NULL
);
INSERT INTO event_sequence VALUES (true, 0);

CREATE TABLE events (
    sequence   bigint      PRIMARY KEY,
    tenant_id  text        NOT NULL,
    sku_id     text        NOT NULL,
    event_type smallint    NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- Idempotency keys: the fingerprint of what was asked and a snapshot of what was answered.
CREATE TABLE requests (
    tenant_id   text        NOT NULL,
    request_id  text        NOT NULL,
    fingerprint text        NOT NULL,
    result      jsonb,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, request_id)
);
