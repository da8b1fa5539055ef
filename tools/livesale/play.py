"""Plays a scenario against running services and returns its report.

The services are reached by address only, through their gRPC stubs, so the same code plays against
`make run`'s stack and against services a test hosts in-process. A service that does not answer
yet (UNIMPLEMENTED while its issue is being finished) is shown as "not available" and the parts
that need it step aside: tiers are computed locally, QUOTA platforms' buyers call inventory.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import grpc
from rich.console import Console
from streamstock.alerting.v1 import alerting_service_pb2_grpc
from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, stock_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2, riskcontrol_service_pb2_grpc
from streamstock.sync.v1 import sync_service_pb2_grpc

from tools.livesale.calls import Caller, Refused, RequestRate
from tools.livesale.console import SessionConsole
from tools.livesale.observers import follow_alerts, follow_events, poll_quotas, read_quotas
from tools.livesale.quota_platforms import QuotaPlatforms
from tools.livesale.report import Report, SkuOutcome, platform_outcomes
from tools.livesale.scenario import Scenario
from tools.livesale.session import ApiKeys, Session
from tools.livesale.shoppers import Crowd, settle_lost_payments
from tools.livesale.staging import create_skus, deliver_restock, plan_live_session
from tools.livesale.tally import NOT_AVAILABLE, PlatformTally, SessionTally, SkuTally

# After the session: how long quota platforms may take to report their last sales, and how long
# the followers get to catch up with the last events (real seconds).
_SETTLE_SECONDS: Final = 10.0
_CATCH_UP_SECONDS: Final = 1.0
_POLL_SECONDS: Final = 0.05


@dataclass(frozen=True)
class Endpoints:
    """Where the four services listen (host:port)."""

    inventory: str
    riskcontrol: str
    alerting: str
    sync: str

    @classmethod
    def of(cls, addresses: Mapping[str, str]) -> Endpoints:
        return cls(
            **{name: addresses[name] for name in ("inventory", "riskcontrol", "alerting", "sync")}
        )


async def play(
    scenario: Scenario,
    endpoints: Endpoints,
    keys: ApiKeys,
    console: Console,
    *,
    tag: str | None = None,
) -> Report:
    """Stages the scenario, plays it for its (compressed) duration and reports."""
    channels = {
        name: grpc.aio.insecure_channel(address) for name, address in vars(endpoints).items()
    }
    rate = RequestRate()
    session = _session(scenario, channels["inventory"], keys, rate, tag or secrets.token_hex(3))
    quota: QuotaPlatforms | None = None
    background: list[asyncio.Task[Any]] = []
    try:
        alerting_runs, quota = await _stage(session, channels, keys)
        crowds = _crowds(session, with_quota=quota is not None)
        session.start_clock()
        session.note(
            f"live: {scenario.name}, {len(scenario.skus)} SKUs, {len(scenario.platforms)} platforms"
        )
        view = SessionConsole(session, rate, console)
        background += _followers(session, channels, view, alerting=alerting_runs, quota=quota)
        traffic = _traffic(session, crowds)
        await asyncio.sleep(scenario.timescale.to_real(scenario.duration))
        settled = await _close_doors(traffic, crowds, quota)
        await asyncio.sleep(_CATCH_UP_SECONDS)
        view.sample()
        _surface_failures(background, console)
        sync = sync_service_pb2_grpc.SyncServiceStub(channels["sync"])
        return await _report(session, rate, quota, sync, settled)
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        if quota is not None:
            await quota.stop()
        for channel in channels.values():
            await channel.close()


async def _stage(
    session: Session, channels: Mapping[str, grpc.aio.Channel], keys: ApiKeys
) -> tuple[bool, QuotaPlatforms | None]:
    """SKUs in inventory, plans in alerting, QUOTA platforms in sync; which of them run."""
    await create_skus(session)
    session.tally.services["inventory"] = "running"
    await _probe_riskcontrol(session, channels["riskcontrol"], session.as_admin)
    alerting = alerting_service_pb2_grpc.AlertingServiceStub(channels["alerting"])
    alerting_runs = await plan_live_session(session, alerting, session.as_admin)
    quota = await _start_quota_platforms(session, channels["sync"], session.as_admin, keys)
    return alerting_runs, quota


def _followers(
    session: Session,
    channels: Mapping[str, grpc.aio.Channel],
    view: SessionConsole,
    *,
    alerting: bool,
    quota: QuotaPlatforms | None,
) -> list[asyncio.Task[Any]]:
    """The console and whatever follows the services that run."""
    admin = session.as_admin
    tasks = [asyncio.create_task(follow_events(session)), asyncio.create_task(view.run())]
    if alerting:
        stub = alerting_service_pb2_grpc.AlertingServiceStub(channels["alerting"])
        tasks.append(asyncio.create_task(follow_alerts(session, stub, admin)))
    if quota is not None:
        sync = sync_service_pb2_grpc.SyncServiceStub(channels["sync"])
        tasks.append(asyncio.create_task(poll_quotas(session, sync, admin)))
    return tasks


def _traffic(session: Session, crowds: Mapping[str, Crowd]) -> list[asyncio.Task[Any]]:
    """Buyers, bots, rushes and deliveries, each on its schedule."""
    scenario = session.scenario
    tasks = [asyncio.create_task(crowd.arrive()) for crowd in crowds.values()]
    if scenario.hoarders is not None and scenario.hoarders.platform_id in crowds:
        hoarding = crowds[scenario.hoarders.platform_id]
        tasks.append(asyncio.create_task(hoarding.hoard(scenario.hoarders)))
    tasks += [asyncio.create_task(deliver_restock(session, r)) for r in scenario.restocks]
    tasks += [
        asyncio.create_task(crowds[burst.platform_id].rush(burst))
        for burst in scenario.bursts
        if burst.platform_id in crowds
    ]
    return tasks


async def _close_doors(
    traffic: list[asyncio.Task[Any]], crowds: Mapping[str, Crowd], quota: QuotaPlatforms | None
) -> bool | None:
    """No one new comes in; calls under way are answered; quota platforms report their sales.
    Whether they reported every sale in time (None: no quota platform)."""
    for task in traffic:
        task.cancel()
    await asyncio.gather(*traffic, return_exceptions=True)
    for crowd in crowds.values():
        await crowd.stop()
    if quota is None:
        return None
    await quota.stop_selling()
    return await _settle(quota)


def _session(
    scenario: Scenario,
    inventory_channel: grpc.aio.Channel,
    keys: ApiKeys,
    rate: RequestRate,
    tag: str,
) -> Session:
    tally = SessionTally(skus={}, platforms={})
    session = Session(
        scenario=scenario,
        tag=tag,
        tally=tally,
        inventory=inventory_service_pb2_grpc.InventoryServiceStub(inventory_channel),
        as_admin=Caller(keys.admin, rate),
        as_platform=Caller(keys.platform, rate),
        random=random.Random(scenario.seed),
    )
    for plan in scenario.skus:
        sku_id = session.sku_id(plan.sku_id)
        tally.skus[sku_id] = SkuTally(sku_id, plan.sku_id, plan.forecast_units)
    return session


async def _probe_riskcontrol(session: Session, channel: grpc.aio.Channel, admin: Caller) -> None:
    """riskcontrol is called by inventory itself; the run only says whether it answers."""
    stub = riskcontrol_service_pb2_grpc.RiskControlServiceStub(channel)
    try:
        await admin(
            stub.ListDecisions,
            riskcontrol_service_pb2.ListDecisionsRequest(
                tenant_id=session.scenario.tenant_id, page_size=1
            ),
        )
    except Refused as refusal:
        session.tally.services["riskcontrol"] = (
            f"{NOT_AVAILABLE} ({refusal.reason}): holds follow each SKU's fail mode"
        )
        return
    session.tally.services["riskcontrol"] = "running"


async def _start_quota_platforms(
    session: Session, channel: grpc.aio.Channel, admin: Caller, keys: ApiKeys
) -> QuotaPlatforms | None:
    plans = [plan for plan in session.scenario.platforms if plan.mode == "QUOTA"]
    if not plans:
        session.tally.services["sync"] = "not needed (no QUOTA platform)"
        return None
    started = await QuotaPlatforms.start(
        session, plans, channel, admin=admin, platform_key=keys.platform
    )
    if isinstance(started, str):
        session.tally.services["sync"] = f"{NOT_AVAILABLE} ({started})"
        return None
    session.tally.services["sync"] = "running"
    return started


def _crowds(session: Session, *, with_quota: bool) -> dict[str, Crowd]:
    """A crowd per platform that calls inventory: the SHARED ones, and the QUOTA ones too when
    sync cannot give them a quota."""
    crowds: dict[str, Crowd] = {}
    for plan in session.scenario.platforms:
        platform_id = session.platform_id(plan)
        quota_through_sync = plan.mode == "QUOTA" and with_quota
        through = "sync quota" if quota_through_sync else "inventory"
        if plan.mode == "QUOTA" and not with_quota:
            through = "inventory (no sync)"
        platform = PlatformTally(platform_id, plan.platform_id, plan.mode, through)
        session.tally.platforms[platform_id] = platform
        if not quota_through_sync:
            crowds[plan.platform_id] = Crowd(session, platform, plan.buyers_per_minute)
    return crowds


def _surface_failures(tasks: list[asyncio.Task[Any]], console: Console) -> None:
    """A follower or the console that died says so, instead of leaving a frozen number."""
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            console.print(f"[red]{task.get_coro().__qualname__} failed: {task.exception()!r}[/red]")


async def _settle(quota: QuotaPlatforms) -> bool:
    """Waits (bounded) until the quota platforms have reported every sale they made; False when
    they have not by then (the report says so and fails)."""
    for _ in range(round(_SETTLE_SECONDS / _POLL_SECONDS)):
        if quota.settled():
            return True
        await asyncio.sleep(_POLL_SECONDS)
    return quota.settled()


async def _report(
    session: Session,
    rate: RequestRate,
    quota: QuotaPlatforms | None,
    sync: sync_service_pb2_grpc.SyncServiceStub,
    settled: bool | None,
) -> Report:
    """Looks up payments whose answer was lost, reads sync's quotas afresh, reads every SKU back
    with GetSku and proves its counters with Reconcile."""
    scenario, tally = session.scenario, session.tally
    await settle_lost_payments(session)
    quota_read = quota is None or await read_quotas(session, sync, session.as_admin)
    outcomes = []
    for sku_id, sku in tally.skus.items():
        response = await session.as_admin(
            session.inventory.GetSku,
            inventory_api.GetSkuRequest(tenant_id=scenario.tenant_id, sku_id=sku_id),
        )
        stock = response.sku.stock
        outcomes.append(
            SkuOutcome(
                sku.display_id,
                sku.received,
                stock.on_hand,
                stock.withheld,
                stock.reserved,
                stock.sold,
                stock.sellable,
                sku.forecast_units,
                stock_pb2.SaleStatus.Name(response.sku.sale_status).removeprefix("SALE_STATUS_"),
                paid=sku.paid,
                quota_sold=sum(
                    platform.quota_sold.get(sku_id, 0) for platform in tally.platforms.values()
                ),
            )
        )
    reconciled = await session.as_admin(
        session.inventory.Reconcile,
        inventory_api.ReconcileRequest(
            tenant_id=scenario.tenant_id,
            request_id=session.next_id("reconcile"),
            sku_ids=list(tally.skus),
        ),
    )
    drifts = [
        f"{tally.skus[drift.sku_id].display_id}: recorded {drift.recorded} recomputed {drift.recomputed}"
        for drift in reconciled.drifts
    ]
    return Report(
        scenario=scenario.name,
        real_seconds=session.real_elapsed(),
        session_seconds=scenario.duration,
        skus=outcomes,
        platforms=platform_outcomes(tally, quota.books() if quota is not None else None),
        holds=tally.holds,
        risk=tally.risk,
        alerts=list(tally.alerts),
        quota_moves=list(tally.quota_moves),
        services=dict(tally.services),
        direct_units_paid=tally.direct_units_paid,
        drifts=drifts,
        requests=rate.total,
        peak_requests_per_second=rate.peak,
        restocks=tally.restocks_done,
        notes=list(tally.feed),
        quota_settled=settled,
        quota_read=quota_read,
        unsettled_payments=len(tally.unsettled),
        payments_found_after_all=tally.payments_found_after_all,
    )
