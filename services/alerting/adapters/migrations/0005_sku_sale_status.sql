-- The last sale status change of each SKU seen on inventory's event stream, and the alert whose
-- sale action made it ('' when someone else did): a RED alert that clears resumes only a sale it
-- paused itself (domain/sale_status.py).
CREATE TABLE sku_sale_status (
    tenant_id text NOT NULL,
    sku_id text NOT NULL,
    status smallint NOT NULL,
    set_by_alert text NOT NULL,
    change_time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);
