"""Time-driven evaluation: pending alerts whose duration passed, sell-out projections that came
closer, plans that ended, and repeats of firing alerts nobody acknowledged.

The ticker takes the follower's checkpoint lock, so it and the event fold never change the same
alerts concurrently, in this instance or another; it does so for a slice of SKUs at a time, so the
follower never waits long.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from services.alerting.domain.alerts import Alert, AlertState, Evaluation, close_all, evaluate
from services.alerting.domain.deliveries import Delivery, repeat_deliveries
from services.alerting.domain.policy import DEFAULT_REPEAT_INTERVAL, Tier, seed_policy
from services.alerting.domain.receivers import Receiver
from services.alerting.service_layer.follow import FOLLOWER, LATEST_VALUES_REFRESH
from services.alerting.service_layer.measure import measure_session, measure_without_plan
from services.alerting.service_layer.notify import add_resolutions
from services.alerting.service_layer.outcomes import record
from services.alerting.service_layer.poison import POISON
from services.alerting.service_layer.ports import (
    Clock,
    FollowContext,
    IdFactory,
    SessionKey,
    SkuKey,
    Store,
    Writes,
)

log = logging.getLogger(__name__)

# SKUs per transaction of the ticker (about 10 ms each under the follower's lock, measured).
TICK_SKUS = 50


def _evaluate_open(
    context: FollowContext,
    key: SessionKey,
    alerts: dict[Tier, Alert],
    ids: IdFactory,
    now: datetime,
) -> Evaluation:
    tenant_id, sku_id, session_id = key
    policy = context.policies.get((tenant_id, sku_id)) or seed_policy(tenant_id, sku_id)
    if not session_id:
        levels = context.levels.get((tenant_id, sku_id))
        sellable = levels.sellable if levels else 0
        measure = measure_without_plan(sellable, now)
        recover = context.recovery((tenant_id, sku_id), now)
        return evaluate(policy, measure, alerts, key, lambda _: ids.alert_id(), recover)
    plans = context.plans.get((tenant_id, sku_id), [])
    plan = next((p for p in plans if p.session_id == session_id), None)
    state = context.consumption.get(key)
    if plan is None or state is None or not plan.is_live(now):
        return close_all(list(alerts.values()), now)
    measure = measure_session(plan, policy, state, now)
    recover = context.recovery((tenant_id, sku_id), now)
    return evaluate(policy, measure, alerts, key, lambda _: ids.alert_id(), recover)


def _repeats(
    alert: Alert, context: FollowContext, receivers: list[Receiver], now: datetime
) -> list[Delivery]:
    if alert.state is not AlertState.FIRING or alert.acknowledgement or alert.inhibited_by:
        return []
    policy = context.policies.get((alert.tenant_id, alert.sku_id)) or seed_policy(alert.tenant_id)
    return repeat_deliveries(alert, receivers, policy.repeat_interval, now)


def _values_stale(stored: Alert | None, now: datetime) -> bool:
    """Whether an alert whose only change is its latest values is stored again: the follower keeps
    the values of SKUs with events fresh (LATEST_VALUES_REFRESH), the ticker those of quiet SKUs.
    Rewriting every open alert on every tick held the follower's lock for a third of a second
    with 3,000 open alerts."""
    return stored is None or now - stored.latest_values.observe_time >= LATEST_VALUES_REFRESH


async def tick(
    store: Store, ids: IdFactory, now: datetime, repeats_since: datetime | None = None
) -> None:
    """Evaluates the SKUs that time alone may change (Transaction.due_tick_skus), TICK_SKUS at a
    time: each slice is one transaction under the follower's lock, so the follower waits for one
    slice at most, never for the whole tick. A SKU with events is left to the follower, which
    evaluates it at each of them: visiting every SKU with an open alert held the follower up for
    50 to 150 ms per slice during a flash sale (1,000 SKUs, 3,000 open alerts)."""
    async with store.transaction() as tx:
        keys = await tx.due_tick_skus(
            now, LATEST_VALUES_REFRESH, repeats_since, DEFAULT_REPEAT_INTERVAL
        )
    for start in range(0, len(keys), TICK_SKUS):
        await _tick_isolating(store, ids, now, keys[start : start + TICK_SKUS])


async def _tick_isolating(store: Store, ids: IdFactory, now: datetime, keys: list[SkuKey]) -> None:
    """A slice; on poison (service_layer/poison.py) its SKUs one at a time, so one SKU that cannot
    be evaluated (logged at ERROR, tried again next tick) does not stop the rest of the tick."""
    try:
        await _tick_skus(store, ids, now, keys)
        return
    except POISON:
        log.exception("a tick slice of %d SKUs failed; evaluating them one at a time", len(keys))
    for key in keys:
        try:
            await _tick_skus(store, ids, now, [key])
        except POISON:
            log.exception("the tick skipped tenant %s SKU %s: it cannot be evaluated", *key)


@dataclass
class Ticker:
    """The periodic tick of a process: each tick looks for repeats that came due since the last
    one that completed here (the first tick looks at every firing alert)."""

    store: Store
    ids: IdFactory
    clock: Clock
    last: datetime | None = None

    async def run(self) -> None:
        now = self.clock.now()
        await tick(self.store, self.ids, now, self.last)
        self.last = now


async def _tick_skus(store: Store, ids: IdFactory, now: datetime, keys: list[SkuKey]) -> Writes:
    async with store.transaction() as tx:
        await tx.lock_checkpoint(FOLLOWER)
        context = await tx.load_open_context(now, keys)
        writes = Writes()
        for key, alerts in context.open_alerts.items():
            receivers = context.receivers.get(key[0], [])
            evaluation = _evaluate_open(context, key, alerts, ids, now)
            repeats = [
                d for a in evaluation.alerts.values() for d in _repeats(a, context, receivers, now)
            ]
            changed = {change.alert.alert_id for change in evaluation.changes}
            evaluation.alerts = {
                tier: alert
                for tier, alert in evaluation.alerts.items()
                if alert.alert_id in changed or _values_stale(alerts.get(tier), now)
            }
            record(evaluation, receivers, writes)
            writes.deliveries.extend(repeats)
        await add_resolutions(tx, writes, context.receivers, now)
        await tx.save_writes(writes, now)
        return writes
