-- Alert bodies are only ever read back whole by the service, never queried inside: json keeps the
-- text as written, so the follower's rewrite of every alert it measures skips jsonb's parse and
-- re-serialisation (measured: the largest share of the follower's database time).
ALTER TABLE alerts ALTER COLUMN body TYPE json USING body::json;
ALTER TABLE alert_changes ALTER COLUMN body TYPE json USING body::json;
