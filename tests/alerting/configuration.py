"""Plans, policies and receivers for the scripted sessions, stored through the service layer."""

from __future__ import annotations

from datetime import timedelta

from alerting.harness import SECRET_REF, SECRETS, SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import (
    SEED_TIER_LINES,
    AlertPolicy,
    ResponseAction,
    Tier,
    TierLine,
)
from services.alerting.domain.receivers import (
    Channel,
    EscalationStep,
    Receiver,
    Route,
    WebhookTarget,
)
from services.alerting.service_layer import configure

SESSION = "live-1"


def session_plan(tenant: str, sku: str, forecast: int = 100) -> LiveSessionPlan:
    return LiveSessionPlan(
        tenant_id=tenant,
        session_id=SESSION,
        sku_id=sku,
        title="evening show",
        forecast_units=forecast,
        start_time=SESSION_START,
        end_time=SESSION_START + timedelta(hours=2),
        restock_lead_time=timedelta(hours=1),
        forecast_confidence=1.0,
        buffer_factor=1.2,
    )


def pausing_policy(tenant: str, **changes: object) -> AlertPolicy:
    lines = tuple(
        TierLine(Tier.RED, 1.2, actions=(ResponseAction.PAUSE_SALE, ResponseAction.CALL_SUPPLIER))
        if line.tier is Tier.RED
        else line
        for line in SEED_TIER_LINES
    )
    return AlertPolicy(tenant_id=tenant, tier_lines=lines, **changes)  # type: ignore[arg-type]


def receiver(
    tenant: str,
    receiver_id: str,
    hook_url: str,
    steps: tuple[EscalationStep, ...],
    notify_resolved: bool = True,
) -> Receiver:
    return Receiver(
        tenant_id=tenant,
        receiver_id=receiver_id,
        display_name=receiver_id,
        webhook=WebhookTarget(hook_url, SECRET_REF),
        sms_number="+8613800000000",
        voice_number="+8613800000001",
        routes=(Route(frozenset(), frozenset(), steps, notify_resolved),),
        muted=False,
    )


WEBHOOK_NOW = (EscalationStep(Channel.WEBHOOK, timedelta(0)),)
INBOX_NOW = (EscalationStep(Channel.IN_APP, timedelta(0)),)


async def configure_session(
    harness: Harness,
    plan: LiveSessionPlan,
    policy: AlertPolicy | None,
    receivers: list[Receiver],
) -> None:
    now = harness.clock.now()
    async with harness.store.transaction() as tx:
        await configure.upsert_plan(tx, plan, now)
        if policy is not None:
            await configure.upsert_policy(tx, policy, now)
        for r in receivers:
            await configure.upsert_receiver(tx, r, SECRETS.for_tenant(r.tenant_id), now)


async def inbox_session(
    harness: Harness,
    recorder: HttpRecorder,
    tenant: str,
    forecast: int = 100,
    policy: AlertPolicy | None = None,
) -> ScriptedInventory:
    """Session SESSION of sku-1 with the policy (None: the seed's) and one in-app receiver, "ops";
    returns the scripted inventory to feed."""
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", forecast=forecast),
        policy,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), INBOX_NOW)],
    )
    return ScriptedInventory(tenant)
