-- The event log is pruned after the retention (STREAMSTOCK_EVENT_RETENTION_SECONDS, 7 days by
-- default), always as a prefix in sequence order: events below the horizon are all gone, events
-- above it are all kept, so a consumer's cursor is either before the horizon (it missed events and
-- is told so: EVENTS_PRUNED) or not (it missed nothing). The prefix is found through the primary
-- key on sequence (which follows commit time), so no new index slows the hold path.
--
-- The horizon of each tenant and event type: the highest sequence pruned of that tenant and type.
-- A consumer watching some tenants and types compares its cursor with the highest horizon among
-- them, so one that follows a quiet tenant or type is not told about another's pruned events.
CREATE TABLE event_horizons (
    tenant_id      text     NOT NULL,
    event_type     smallint NOT NULL,
    pruned_through bigint   NOT NULL,
    PRIMARY KEY (tenant_id, event_type)
);
