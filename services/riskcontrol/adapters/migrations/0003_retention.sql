-- What grows with traffic is forgotten after its retention (settings.py), in batches by age.
-- Rows are inserted in time order, so BRIN indexes find the oldest ones and cost next to nothing
-- on inserts, unlike a btree on the time (the decision audit is written on every Assess).
-- Answered request ids: STREAMSTOCK_RISKCONTROL_REQUEST_RETENTION_SECONDS (7 days by default).
CREATE INDEX requests_by_age ON requests USING brin (record_time);
-- The audit, STREAMSTOCK_RISKCONTROL_AUDIT_RETENTION_SECONDS (90 days by default): decisions,
-- reported outcomes, and list entries that stopped applying.
CREATE INDEX decisions_by_age ON decisions USING brin (assess_time);
CREATE INDEX outcomes_by_age ON outcomes USING brin (record_time);

-- An Assess request id retried after its replay record expired (24 h) is a new attempt with a
-- decision of its own, which the audit must keep beside the first: request ids are not unique in
-- the audit (nothing looks decisions up by request id; the primary key still refuses a batch
-- written twice).
DROP INDEX decisions_request;

-- When an entry was taken off its list; an entry stops applying at the earlier of that and its
-- expiry (entries removed before this migration count from their expiry). Few rows: a btree.
ALTER TABLE access_list_entries ADD COLUMN remove_time timestamptz;
CREATE INDEX access_list_by_end ON access_list_entries (LEAST(expire_time, remove_time));
