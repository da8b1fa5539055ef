-- When a pass last claimed the probe of a platform whose pushes failed (domain/breaker.py): the
-- one push after its cooldown that may go out. Claimed with a conditional UPDATE, so of the passes
-- that find the cooldown over at once (replicas, Rebalance calls) exactly one probes; the others
-- see the claim as the start of a new cooldown and wait for the probe's outcome.
ALTER TABLE platforms ADD COLUMN probe_time timestamptz;
