-- Rows past their retention are deleted in batches by age (services/sync/service_layer/retention.py).
-- BRIN indexes find the oldest rows: rows arrive roughly in time order, and unlike a btree a BRIN
-- costs next to nothing on the report path. sale_lines are aged by the platform's occur_time (a
-- late report lands beside newer rows; a BRIN range then only spans a little more time).
CREATE INDEX request_results_by_age ON request_results USING brin (create_time);
CREATE INDEX sale_lines_by_age ON sale_lines USING brin (occur_time);
CREATE INDEX reconciliations_by_age ON reconciliations USING brin (start_time);
