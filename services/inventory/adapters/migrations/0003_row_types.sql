-- Row types in which new rows travel to PostgreSQL: one array of rows per table instead of one
-- array per column. The client checks every array element for being an array itself, so a batch
-- of holds passed as 47 column arrays cost twice the client CPU (and more decoding here) of the
-- same rows passed as 6 arrays of rows. Columns are those the statements insert, in their order.
CREATE TYPE hold_row AS (
    tenant_id         text,
    reservation_id    text,
    user_id           text,
    order_id          text,
    state             smallint,
    lock_stage        smallint,
    purpose           smallint,
    platform_id       text,
    ip                text,
    device_id         text,
    created_at        timestamptz,
    expires_at        timestamptz,
    settled_at        timestamptz,
    payment_reference text,
    risk_decision_id  text,
    notify_at         timestamptz
);

CREATE TYPE line_row AS (
    tenant_id      text,
    reservation_id text,
    sku_id         text,
    quantity       bigint,
    consumed       bigint
);

CREATE TYPE live_row AS (
    tenant_id      text,
    reservation_id text,
    sku_id         text,
    quantity       bigint,
    expires_at     timestamptz,
    notify_at      timestamptz
);

-- An answered request: its id, the fingerprint of what was asked and the answer's snapshot.
CREATE TYPE answer_row AS (
    request_id  text,
    fingerprint text,
    result      jsonb
);

CREATE TYPE ledger_row AS (
    tenant_id      text,
    sku_id         text,
    reason         smallint,
    on_hand_delta  bigint,
    withheld_delta bigint,
    reserved_delta bigint,
    sold_delta     bigint,
    reference      text,
    note           text,
    created_at     timestamptz
);

CREATE TYPE event_row AS (
    tenant_id  text,
    sku_id     text,
    event_type smallint,
    payload    bytea,
    created_at timestamptz
);
