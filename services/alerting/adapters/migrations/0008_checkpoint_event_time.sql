-- When the follower applied its last batch and the time of that batch's last event: the ticker
-- judges which SKUs are quiet by the stream's clock (the clock less the follower's delay), so a
-- follower running behind does not make every SKU look quiet.
ALTER TABLE follower_checkpoints ADD COLUMN applied_time timestamptz;
ALTER TABLE follower_checkpoints ADD COLUMN event_time timestamptz;
