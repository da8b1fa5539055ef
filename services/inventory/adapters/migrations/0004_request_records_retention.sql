-- Answered request ids are forgotten after the retention (STREAMSTOCK_REQUEST_RETENTION_SECONDS,
-- 7 days by default) in batches by age: a BRIN index finds the oldest rows (they are inserted in
-- time order) and costs next to nothing on the hold path, unlike a btree on created_at.
CREATE INDEX requests_by_age ON requests USING brin (created_at);
