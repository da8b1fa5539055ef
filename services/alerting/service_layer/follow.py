"""The event follower: folds inventory's events into plans' consumption, alerts and the outbox.

Each batch is applied in one transaction together with the follower's checkpoint (the last sequence
applied), under a row lock on that checkpoint: after a restart or a crash the follower resumes from
the stored sequence, and events at or below it are skipped, so nothing is missed or applied twice,
even with several instances following at once.

A batch that fails with poison (service_layer/poison.py: the same failure every time) is applied
again one event at a time; an event that still fails on its own is quarantined: logged at ERROR,
recorded in quarantined_events, and the checkpoint moves past it. Without this, one tenant's event
the code cannot apply stopped alerting for every tenant forever (the follower restarted from the
same checkpoint and failed again). The SKU's state catches up at its next event (every event
carries the SKU's full counters); the quarantined event's own alert changes are lost until then,
which the ERROR log and the row say. Any other failure (database, connection) is retried as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.alerting.domain.alerts import (
    Alert,
    AlertChange,
    ChangeKind,
    Measure,
    crossed,
    evaluate,
    opened_by_event,
)
from services.alerting.domain.deliveries import DeliveryStatus
from services.alerting.domain.events import HOLD_CLOSED, EventKind, StockEvent, StockLevels
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import AlertPolicy, ResponseAction, seed_policy
from services.alerting.domain.reminders import BuyerReminderSettings, remind
from services.alerting.domain.sale_status import SaleStatus, resume_late_pause, seen
from services.alerting.domain.session import SessionConsumption
from services.alerting.service_layer.measure import measure_session, measure_without_plan
from services.alerting.service_layer.notify import add_resolutions
from services.alerting.service_layer.outcomes import record
from services.alerting.service_layer.poison import POISON
from services.alerting.service_layer.ports import (
    ClaimedDelivery,
    Clock,
    EventSource,
    FollowContext,
    IdFactory,
    SaleActionRequest,
    SessionKey,
    SkuKey,
    Store,
    Transaction,
    Wakeup,
    Writes,
)

log = logging.getLogger(__name__)

FOLLOWER = "inventory-events"
# Events per transaction at most: a bigger stream response is applied in chunks. Per event, a
# chunk of a few hundred SKUs is the cheapest (measured: 200 events ~ 50 ms, 1,000 ~ 700 ms).
MAX_EVENTS_PER_TRANSACTION = 200
# An open alert whose only change is its latest values (every event of its SKU changes them) is
# stored again once its stored values are this old in event time: rewriting every open alert on
# every event was the largest share of the follower's cost. Any other change is stored at once,
# and the ticker refreshes quiet SKUs, so stored latest values lag by at most about this plus a
# tick.
LATEST_VALUES_REFRESH = timedelta(seconds=2)


class EventFold:
    """Applies events in sequence order to the state of their SKUs."""

    def __init__(self, context: FollowContext, ids: IdFactory) -> None:
        self.context = context
        self.ids = ids
        self.writes = Writes()
        # When the stored latest values of each alert met so far were observed.
        self.stored_values: dict[str, datetime] = {}
        # Pauses that reached the stream after the alert that asked for them cleared.
        self.late_pauses: list[tuple[str, str]] = []

    def policy(self, key: SkuKey) -> AlertPolicy:
        policy = self.context.policies.get(key)
        if policy is None:  # built once per SKU and batch, not once per event
            policy = self.context.policies[key] = seed_policy(*key)
        return policy

    def apply(self, event: StockEvent) -> None:
        key = (event.tenant_id, event.sku_id)
        before = self.context.levels.get(key)
        self.context.levels[key] = event.levels
        self.writes.levels[key] = (event.levels, event.occur_time)
        if event.sale_status is not None:
            status = seen(event.sale_status, event.occur_time)
            self.context.sale_status[key] = self.writes.sale_status[key] = status
            if status.status is SaleStatus.PAUSED and status.set_by_alert:
                if not self._is_open(key, status.set_by_alert):
                    self.late_pauses.append((event.tenant_id, status.set_by_alert))
        self._remind(event)
        for plan in self.context.plans.get(key, []):
            if plan.is_live(event.occur_time):
                self._measure_plan(plan, event, before or event.levels)
        # Low-stock lines are SKU-wide (alerts._low_stock_scope), with or without a live plan.
        self._evaluate_sku_wide(key, event)

    def _is_open(self, key: SkuKey, alert_id: str) -> bool:
        return any(
            alert.alert_id == alert_id
            for (tenant_id, sku_id, _), alerts in self.context.open_alerts.items()
            if (tenant_id, sku_id) == key
            for alert in alerts.values()
        )

    def _measure_plan(self, plan: LiveSessionPlan, event: StockEvent, before: StockLevels) -> None:
        key = (plan.tenant_id, plan.sku_id, plan.session_id)
        policy = self.policy((plan.tenant_id, plan.sku_id))
        state = self.context.consumption.get(key) or SessionConsumption.start(
            plan, before, event.occur_time
        )
        state = state.observe(
            plan, policy.pace_adjustment, event.levels, event.occur_time, event.restocked_units
        )
        self.context.consumption[key] = state
        self.writes.consumption[key] = state
        second = event.occur_time.replace(microsecond=0)
        self.writes.samples[(*key, second)] = (state.consumed_units, state.sellable_units)
        self._evaluate(key, policy, measure_session(plan, policy, state, event.occur_time), event)

    def _evaluate_sku_wide(self, key: SkuKey, event: StockEvent) -> None:
        policy = self.policy(key)
        lines = any(line.low_stock_units > 0 for line in policy.tier_lines)
        if not lines and not self.context.open_alerts.get((*key, "")):
            return  # no line to cross and nothing open to resolve
        measure = measure_without_plan(event.levels.sellable, event.occur_time)
        self._evaluate((*key, ""), policy, measure, event)

    def _evaluate(
        self, key: SessionKey, policy: AlertPolicy, measure: Measure, event: StockEvent
    ) -> None:
        open_alerts = self.context.open_alerts.get(key, {})
        if not open_alerts and not any(
            crossed(line, measure, policy.warns_below_warning_line(line))
            for line in policy.tier_lines
        ):
            return  # most events: nothing open and no line crossed, so nothing can change
        recover = self.context.recovery((key[0], key[1]), measure.now)
        new_id = opened_by_event(key, event.sequence, event.occur_time)
        evaluation = evaluate(policy, measure, open_alerts, key, new_id, recover)
        self.context.open_alerts[key] = {
            tier: alert for tier, alert in evaluation.alerts.items() if alert.is_open
        }
        for alert in open_alerts.values():
            self.stored_values.setdefault(alert.alert_id, alert.latest_values.observe_time)
        changed = {change.alert.alert_id for change in evaluation.changes}
        for alert in evaluation.alerts.values():
            if alert.alert_id in changed:
                self.stored_values[alert.alert_id] = alert.latest_values.observe_time
        evaluation.alerts = {
            tier: alert
            for tier, alert in evaluation.alerts.items()
            if alert.alert_id in changed or self._values_due(alert)
        }
        record(evaluation, self.context.receivers.get(key[0], []), self.writes)

    def _values_due(self, alert: Alert) -> bool:
        """Whether a values-only update of the alert is stored (see LATEST_VALUES_REFRESH)."""
        observed = alert.latest_values.observe_time
        if observed - self.stored_values[alert.alert_id] < LATEST_VALUES_REFRESH:
            return False
        self.stored_values[alert.alert_id] = observed
        return True

    def _remind(self, event: StockEvent) -> None:
        hold = event.hold
        if hold is None:
            return
        if event.kind in HOLD_CLOSED:
            self.writes.closed_holds.append((event.tenant_id, hold.reservation_id))
            return
        if event.kind is not EventKind.HOLD_EXPIRING_SOON:
            return
        settings = self.context.reminder_settings.get(event.tenant_id) or BuyerReminderSettings(
            event.tenant_id
        )
        self.writes.reminders.append(
            remind(
                settings,
                event.tenant_id,
                self.ids.reminder_id(),
                event.sku_id,
                hold,
                event.occur_time,
            )
        )


@dataclass(frozen=True)
class Handoff:
    """The fast path of a notification: the batch's transaction claims its own notifications that
    are due now (the same head-of-line rule and lease as the dispatcher's claim) and commits, then
    hands them straight to the dispatcher of this process. No wake-up, no separate claim round and
    no wait for the disk sit between the stock change and the send; a crash after the commit
    leaves a claim that the lease returns, as for any claim (see _apply for a database crash)."""

    clock: Clock
    lease: timedelta
    deliver: Callable[[list[ClaimedDelivery]], None]


@dataclass(frozen=True)
class Applied:
    """The checkpoint after a batch, whether it queued work for the dispatcher's claim rounds, and
    the notifications it claimed for the handoff."""

    sequence: int
    enqueued: bool
    claimed: list[ClaimedDelivery] = field(default_factory=list)


async def _claim_due(
    tx: Transaction, fold: EventFold, handoff: Handoff, batch_time: datetime
) -> list[ClaimedDelivery]:
    # A notice of this batch is due at the batch's event time; inventory's clock running a little
    # ahead of this one must not hold it back.
    now = max(handoff.clock.now(), batch_time)
    alerts = fold.writes.alerts  # the versions this transaction stores
    due = [
        d.delivery_id
        for d in fold.writes.deliveries
        if d.status is DeliveryStatus.SCHEDULED and d.due_time <= now and d.alert_id in alerts
    ]
    if not due:
        return []
    deliveries = await tx.claim_listed_deliveries(now, now + handoff.lease, due)
    if not deliveries:
        return []
    receivers = {
        (r.tenant_id, r.receiver_id): r for rs in fold.context.receivers.values() for r in rs
    }
    return [
        ClaimedDelivery(d, alerts[d.alert_id], receivers.get((d.tenant_id, d.receiver_id)))
        for d in deliveries
    ]


async def _resume_late_pause(
    tx: Transaction, writes: Writes, tenant_id: str, alert_id: str, now: datetime
) -> None:
    # Locked like every alert with a pending action: the dispatcher writes action results into it.
    alert = writes.alerts.get(alert_id) or await tx.lock_alert(tenant_id, alert_id)
    resumed = resume_late_pause(alert, now) if alert else None
    if resumed is None:
        return
    writes.alerts[alert_id] = resumed
    writes.changes.append(AlertChange(resumed, ChangeKind.ACTION_UPDATED))
    writes.sale_actions.append(
        SaleActionRequest(tenant_id, resumed.sku_id, alert_id, ResponseAction.RESUME_SALE)
    )


async def _apply(
    tx: Transaction,
    ids: IdFactory,
    events: Sequence[StockEvent],
    follower: str,
    handoff: Handoff | None,
) -> Applied:
    # The transaction commits without waiting for the disk (follow_from), and the handoff sends
    # its notices at once. A database crash before the log reaches the disk loses the batch and
    # its checkpoint together; the events are applied again and open the same alerts (their ids
    # derive from the opening event, alerts.opened_by_event), so a notice already sent comes again
    # under the same idempotency key and its receiver recognises it. Waiting for the disk here put
    # the disk's stalls (100-240 ms commits seen on this machine) into the notification latency.
    last = await tx.follow_from(follower)
    fresh = sorted((e for e in events if e.sequence > last), key=lambda e: e.sequence)
    if not fresh:
        return Applied(last, False)
    keys = {(e.tenant_id, e.sku_id) for e in fresh}
    times = [e.occur_time for e in fresh]
    reminders = any(e.kind is EventKind.HOLD_EXPIRING_SOON for e in fresh)
    context = await tx.load_follow_context(
        keys, min(times) - timedelta(seconds=1), max(times), reminders
    )
    fold = EventFold(context, ids)
    for event in fresh:
        fold.apply(event)
    writes = fold.writes
    for tenant_id, alert_id in fold.late_pauses:
        await _resume_late_pause(tx, writes, tenant_id, alert_id, max(times))
    # The follower's delay (from the handoff's clock; without one, none) lets the ticker judge
    # quiet SKUs by the stream's clock.
    newest = fresh[-1]
    applied = handoff.clock.now() if handoff else newest.occur_time
    writes.checkpoint = (follower, newest.sequence, newest.occur_time, applied)
    await add_resolutions(tx, writes, context.receivers, max(times))
    await tx.save_writes(writes, max(times), log_changes=False)
    claimed = await _claim_due(tx, fold, handoff, max(times)) if handoff else []
    await tx.log_changes(writes, max(times))  # last: it holds the change log's lock to the commit
    left = bool(writes.sale_actions or writes.reminders) or len(writes.deliveries) > len(claimed)
    return Applied(fresh[-1].sequence, left, claimed)


async def apply_batch(
    store: Store,
    ids: IdFactory,
    events: Sequence[StockEvent],
    follower: str = FOLLOWER,
    handoff: Handoff | None = None,
) -> Applied:
    """Applies the events after the stored checkpoint in one transaction; with a handoff, the
    notifications it claimed go to the dispatcher once it has committed."""
    async with store.transaction() as tx:
        applied = await _apply(tx, ids, events, follower, handoff)
    if handoff and applied.claimed:
        handoff.deliver(applied.claimed)
    return applied


async def checkpoint(store: Store, follower: str = FOLLOWER) -> int:
    async with store.transaction() as tx:
        return await tx.lock_checkpoint(follower)


class EventFollower:
    """Follows the event source from the stored checkpoint for as long as it runs."""

    def __init__(
        self,
        store: Store,
        source: EventSource,
        ids: IdFactory,
        wakeup: Wakeup,
        follower: str = FOLLOWER,
        handoff: Handoff | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.ids = ids
        self.wakeup = wakeup
        self.follower = follower
        self.handoff = handoff

    async def run(self) -> None:
        after = await checkpoint(self.store, self.follower)
        async for batch in self.source.batches(after):
            for start in range(0, len(batch), MAX_EVENTS_PER_TRANSACTION):
                chunk = batch[start : start + MAX_EVENTS_PER_TRANSACTION]
                if await self._apply(chunk):
                    self.wakeup.notify()

    async def _apply(self, chunk: Sequence[StockEvent]) -> bool:
        """Applies a chunk; on poison, one event at a time, quarantining what still fails."""
        try:
            applied = await apply_batch(self.store, self.ids, chunk, self.follower, self.handoff)
            return applied.enqueued
        except POISON:
            log.exception(
                "a batch of %d events (sequences %d-%d) failed; applying them one at a time",
                len(chunk),
                chunk[0].sequence,
                chunk[-1].sequence,
            )
        enqueued = False
        for event in chunk:
            try:
                applied = await apply_batch(
                    self.store, self.ids, [event], self.follower, self.handoff
                )
                enqueued = enqueued or applied.enqueued
            except POISON as error:
                now = self.handoff.clock.now() if self.handoff else event.occur_time
                await quarantine(self.store, event, error, now, self.follower)
        return enqueued


async def quarantine(
    store: Store, event: StockEvent, error: BaseException, now: datetime, follower: str = FOLLOWER
) -> None:
    """Records an event that cannot be applied and moves the checkpoint past it (see above)."""
    reason = f"{type(error).__name__}: {error}"
    log.error(
        "QUARANTINED inventory event %d (tenant %s, SKU %s, %s) after it failed on its own: %s;"
        " its alert changes are skipped until the SKU's next event (table quarantined_events)",
        event.sequence,
        event.tenant_id,
        event.sku_id,
        event.kind.name,
        reason,
        exc_info=error,
    )
    async with store.transaction() as tx:
        await tx.quarantine_event(follower, event, reason, now)
