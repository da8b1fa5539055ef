"""Use cases that change configuration: plans, policies, receivers, reminder settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from services.alerting.domain.alerts import close_all
from services.alerting.domain.errors import (
    AlertPolicyNotFound,
    InvalidArgument,
    PlanAlreadyEnded,
    PlanAlreadyStarted,
    PlanNotFound,
    PlanOverlaps,
    ReceiverNotFound,
    SecretRefUnknown,
)
from services.alerting.domain.plan import LiveSessionPlan, PlanState
from services.alerting.domain.policy import AlertPolicy, seed_policy
from services.alerting.domain.receivers import Receiver, WebhookTarget
from services.alerting.domain.reminders import BuyerReminderSettings
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.notify import add_resolutions
from services.alerting.service_layer.outcomes import record
from services.alerting.service_layer.ports import Page, Transaction, Writes


class Secrets(Protocol):
    """The secret refs one tenant may use."""

    def knows(self, secret_ref: str) -> bool: ...


class SecretScopes(Protocol):
    """Secret refs per tenant (adapters/secrets.py): a ref scoped to other tenants is unknown."""

    def for_tenant(self, tenant_id: str) -> Secrets: ...


async def upsert_plan(
    tx: Transaction, plan: LiveSessionPlan, now: datetime
) -> tuple[LiveSessionPlan, bool]:
    existing = await tx.lock_plan(plan.tenant_id, plan.session_id, plan.sku_id)
    if existing is not None:
        if existing.state_at(now) is PlanState.ENDED:
            raise PlanAlreadyEnded(
                "the plan has ended",
                session_id=plan.session_id,
                sku_id=plan.sku_id,
                end_time=existing.closes_at.isoformat(),
            )
        if existing.is_live(now) and existing.start_time != plan.start_time:
            raise PlanAlreadyStarted(
                "the session is live; its start time can no longer move",
                session_id=plan.session_id,
                sku_id=plan.sku_id,
            )
    for other in await tx.plans_of_sku(plan.tenant_id, plan.sku_id):
        if other.session_id != plan.session_id and other.overlaps(plan):
            raise PlanOverlaps(
                "another plan of the SKU overlaps the session",
                sku_id=plan.sku_id,
                conflicting_session_id=other.session_id,
            )
    created = existing.create_time if existing and existing.create_time else now
    stored = replace(plan, create_time=created, update_time=now, ended_time=None)
    await tx.save_plan(stored)
    return stored, existing is None


async def end_plans(
    tx: Transaction, tenant_id: str, session_id: str, sku_id: str, now: datetime
) -> list[LiveSessionPlan]:
    """Ends the session's plans (or one SKU's) now and resolves their open alerts."""
    await tx.lock_checkpoint(FOLLOWER)
    plans, _ = await tx.list_plans(tenant_id, session_id, sku_id, _ALL)
    if not plans:
        raise PlanNotFound("no plan matches", session_id=session_id, sku_id=sku_id)
    ended = [plan.ended(now) for plan in plans if plan.state_at(now) is not PlanState.ENDED]
    writes = Writes()
    receivers, _ = await tx.list_receivers(tenant_id, _ALL)
    for plan in ended:
        await tx.save_plan(plan)
        open_alerts = await tx.open_alerts_of(tenant_id, plan.sku_id, plan.session_id, True)
        record(close_all(open_alerts, now), receivers, writes)
    await add_resolutions(tx, writes, {tenant_id: receivers}, now)
    await tx.save_writes(writes, now)
    return ended


async def effective_policy(tx: Transaction, tenant_id: str, sku_id: str) -> AlertPolicy:
    own = await tx.get_policy(tenant_id, sku_id)
    if own is not None:
        return own
    default = await tx.get_policy(tenant_id, "") if sku_id else None
    if default is not None:
        return replace(default, sku_id=sku_id, inherited=True)
    return seed_policy(tenant_id, sku_id)


async def upsert_policy(tx: Transaction, policy: AlertPolicy, now: datetime) -> AlertPolicy:
    stored = replace(policy, update_time=now, inherited=False)
    await tx.save_policy(stored)
    return stored


async def delete_policy(tx: Transaction, tenant_id: str, sku_id: str) -> AlertPolicy:
    if not await tx.delete_policy(tenant_id, sku_id):
        raise AlertPolicyNotFound("the SKU has no policy of its own", sku_id=sku_id)
    return await effective_policy(tx, tenant_id, sku_id)


def _check_secret(secrets: Secrets, target: WebhookTarget | None) -> None:
    if target is not None and not secrets.knows(target.secret_ref):
        raise SecretRefUnknown("the secret is not known", secret_ref=target.secret_ref)


async def upsert_receiver(
    tx: Transaction, receiver: Receiver, secrets: Secrets, now: datetime
) -> tuple[Receiver, bool]:
    missing = receiver.unreachable_channel()
    if missing is not None:
        raise InvalidArgument(
            "receiver.routes", f"an escalation step uses {missing.name} without its endpoint"
        )
    _check_secret(secrets, receiver.webhook)
    existing = await tx.get_receiver(receiver.tenant_id, receiver.receiver_id)
    created = existing.create_time if existing and existing.create_time else now
    stored = replace(receiver, create_time=created, update_time=now)
    await tx.save_receiver(stored)
    return stored, existing is None


async def delete_receiver(
    tx: Transaction, tenant_id: str, receiver_id: str, now: datetime
) -> Receiver:
    existing = await tx.get_receiver(tenant_id, receiver_id)
    if existing is None:
        raise ReceiverNotFound("no such receiver", receiver_id=receiver_id)
    await tx.delete_receiver(tenant_id, receiver_id, now)
    return existing


async def update_reminder_settings(
    tx: Transaction, settings: BuyerReminderSettings, secrets: Secrets, now: datetime
) -> BuyerReminderSettings:
    _check_secret(secrets, settings.default_webhook)
    for _, target in settings.platform_targets:
        _check_secret(secrets, target)
    stored = replace(settings, update_time=now)
    await tx.save_reminder_settings(stored)
    return stored


_ALL = Page(10_000, "")
