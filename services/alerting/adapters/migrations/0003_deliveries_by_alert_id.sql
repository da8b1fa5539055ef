-- The follower finds an alert's deliveries by alert id alone (inhibition, cancelled follow-ups,
-- channels already notified): without this index each of those statements scanned the outbox.
CREATE INDEX deliveries_by_alert_id ON deliveries (alert_id);
