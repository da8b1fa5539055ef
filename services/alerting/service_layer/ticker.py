"""Time-driven evaluation: pending alerts whose duration passed, sell-out projections that came
closer, plans that ended, and repeats of firing alerts nobody acknowledged.

The ticker takes the follower's checkpoint lock, so it and the event fold never change the same
alerts concurrently, in this instance or another.
"""

from __future__ import annotations

from datetime import datetime

from services.alerting.domain.alerts import Alert, AlertState, Evaluation, close_all, evaluate
from services.alerting.domain.deliveries import Delivery, repeat_deliveries
from services.alerting.domain.policy import Tier, seed_policy
from services.alerting.domain.receivers import Receiver
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.measure import measure_session, measure_without_plan
from services.alerting.service_layer.notify import add_resolutions
from services.alerting.service_layer.outcomes import record
from services.alerting.service_layer.ports import (
    FollowContext,
    IdFactory,
    SessionKey,
    Store,
    Writes,
)


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
        return evaluate(policy, measure, alerts, key, ids.alert_id, recover)
    plans = context.plans.get((tenant_id, sku_id), [])
    plan = next((p for p in plans if p.session_id == session_id), None)
    state = context.consumption.get(key)
    if plan is None or state is None or not plan.is_live(now):
        return close_all(list(alerts.values()), now)
    measure = measure_session(plan, policy, state, now)
    recover = context.recovery((tenant_id, sku_id), now)
    return evaluate(policy, measure, alerts, key, ids.alert_id, recover)


def _repeats(
    alert: Alert, context: FollowContext, receivers: list[Receiver], now: datetime
) -> list[Delivery]:
    if alert.state is not AlertState.FIRING or alert.acknowledgement or alert.inhibited_by:
        return []
    policy = context.policies.get((alert.tenant_id, alert.sku_id)) or seed_policy(alert.tenant_id)
    return repeat_deliveries(alert, receivers, policy.repeat_interval, now)


async def tick(store: Store, ids: IdFactory, now: datetime) -> Writes:
    async with store.transaction() as tx:
        await tx.lock_checkpoint(FOLLOWER)
        context = await tx.load_open_context(now)
        writes = Writes()
        for key, alerts in context.open_alerts.items():
            receivers = context.receivers.get(key[0], [])
            evaluation = _evaluate_open(context, key, alerts, ids, now)
            record(evaluation, receivers, writes)
            for alert in evaluation.alerts.values():
                writes.deliveries.extend(_repeats(alert, context, receivers, now))
        await add_resolutions(tx, writes, context.receivers, now)
        await tx.save_writes(writes, now)
        return writes
