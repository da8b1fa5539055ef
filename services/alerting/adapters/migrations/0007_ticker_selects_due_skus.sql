-- The ticker visits only the SKUs that time alone can change (service_layer/ticker.py): it finds
-- firing alerts whose repeat came due from their fire time, kept here beside the body.
ALTER TABLE alerts ADD COLUMN fire_time timestamptz;
UPDATE alerts SET fire_time = (body::jsonb ->> 'fire_time')::timestamptz WHERE state <> 3;
