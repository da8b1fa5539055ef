"""Followers of what the services say: inventory's event stream (stock, holds expiring and
returned), alerting's alert stream (tiers, latency) and sync's quotas (listed quantities, moves).
Each keeps the tally current and reconnects after a dropped stream until it is cancelled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Final

import grpc
from streamstock.alerting.v1 import alerting_service_pb2_grpc, alerts_pb2, policies_pb2
from streamstock.inventory.v1 import events_pb2, reservation_pb2, stock_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.sync.v1 import quotas_pb2, sync_service_pb2_grpc

from tools.livesale.calls import Caller, Refused, refusal_of
from tools.livesale.session import Session
from tools.livesale.tally import TIERS, AlertRecord, QuotaMove, SkuTally

_RETRY_SECONDS: Final = 0.5
_BUYER = reservation_pb2.RESERVATION_PURPOSE_BUYER
_REPORTED: Final = ("FIRING", "RESOLVED")


async def follow_events(session: Session) -> None:
    """Applies inventory's events of this run's SKUs to the tally, resuming after a drop."""
    request = inventory_api.WatchEventsRequest(
        tenant_id=session.scenario.tenant_id,
        sku_ids=list(session.tally.skus),
    )

    def resume() -> Any:
        request.after_sequence = session.tally.last_sequence
        return session.inventory.WatchEvents(request, metadata=session.as_admin.metadata)

    def apply(batch: inventory_api.WatchEventsResponse) -> None:
        for event in batch.events:
            apply_event(session, event)

    def skip_pruned(refused: Refused) -> None:
        # Inventory keeps its events for a retention (7 days); on an older stack the log starts
        # later than 0. This run's SKUs are newer than anything pruned, so none of theirs is lost.
        if refused.reason == "EVENTS_PRUNED":
            oldest = int(refused.metadata["oldest_sequence"])
            session.tally.last_sequence = max(session.tally.last_sequence, oldest - 1)

    await _follow(session, "event", session.as_admin, resume, apply, skip_pruned)


async def _follow(
    session: Session,
    name: str,
    caller: Caller,
    resume: Callable[[], Any],
    apply: Callable[[Any], None],
    recover: Callable[[Refused], None] = lambda refused: None,
) -> None:
    """Reads a server stream into `apply`; after a drop, lets `recover` move the cursor if the
    refusal asks for it, then opens the stream again where it stopped."""
    while True:
        caller.rate.record()
        try:
            async for message in resume():
                apply(message)
        except grpc.aio.AioRpcError as error:
            refused = refusal_of(error)
            session.note(f"{name} stream dropped ({refused.reason}); resuming")
            recover(refused)
        await asyncio.sleep(_RETRY_SECONDS)


def apply_event(session: Session, event: events_pb2.InventoryEvent) -> None:
    tally = session.tally
    tally.last_sequence = max(tally.last_sequence, event.sequence)
    sku = tally.skus.get(event.sku_id)
    if sku is None:
        return
    _apply_stock(sku, event.stock)
    kind = event.WhichOneof("kind")
    if kind == "sale_status_changed":
        change = event.sale_status_changed
        sku.sale_status = stock_pb2.SaleStatus.Name(change.current).removeprefix("SALE_STATUS_")
        reason = change.reason.replace(f".{session.tag}", "")
        session.note(f"{sku.display_id} {sku.sale_status}: {reason}")
    holds = tally.holds
    reservation = getattr(event, kind) if kind and kind.startswith("reservation_") else None
    if reservation is None or reservation.purpose != _BUYER:
        _check_crossing(session, sku)
        return
    if kind == "reservation_created":
        holds.created += 1
    elif kind == "reservation_confirmed":
        holds.confirmed += 1
    elif kind == "reservation_released":
        holds.released += 1
    elif kind == "reservation_expired":
        holds.expired += 1
        holds.expired_units += reservation.quantity
    elif kind == "reservation_expiring_soon":
        holds.expiring_soon += 1
    _check_crossing(session, sku)


def _apply_stock(sku: SkuTally, stock: stock_pb2.StockLevels) -> None:
    sku.on_hand = stock.on_hand
    sku.withheld = stock.withheld
    sku.reserved = stock.reserved
    sku.sold = stock.sold
    sku.sellable = stock.sellable


def _check_crossing(session: Session, sku: SkuTally) -> None:
    """Notes in the feed when consumption first reaches each of the seed's lines."""
    for fraction, tier in TIERS:
        if sku.consumed >= fraction * sku.capacity and tier not in sku.crossed:
            sku.crossed.add(tier)
            session.note(f"{sku.display_id} consumed {sku.consumed} = {fraction:.0%} of plan")


async def follow_alerts(
    session: Session, alerting: alerting_service_pb2_grpc.AlertingServiceStub, caller: Caller
) -> None:
    """Records alerting's alerts of this run's SKUs with their latency."""
    request = alerts_pb2.WatchAlertsRequest(
        tenant_id=session.scenario.tenant_id, sku_ids=list(session.tally.skus)
    )

    def resume() -> Any:
        return alerting.WatchAlerts(request, metadata=caller.metadata)

    def apply(change: alerts_pb2.WatchAlertsResponse) -> None:
        request.after_sequence = max(request.after_sequence, change.sequence)
        _apply_alert(session, change)

    await _follow(session, "alert", caller, resume, apply)


def _apply_alert(session: Session, change: alerts_pb2.WatchAlertsResponse) -> None:
    alert = change.alert
    sku = session.tally.skus.get(alert.sku_id)
    if sku is None:
        return
    tier = policies_pb2.Tier.Name(alert.tier).removeprefix("TIER_")
    state = alerts_pb2.AlertState.Name(alert.state).removeprefix("ALERT_STATE_")
    if state == "FIRING":
        sku.firing.add(tier)
    else:
        sku.firing.discard(tier)
    if change.change != alerts_pb2.ALERT_CHANGE_KIND_STATE_CHANGED or state not in _REPORTED:
        return
    latency = None
    if state == "FIRING" and alert.fire_values.HasField("observe_time"):
        latency = time.time() - alert.fire_values.observe_time.ToNanoseconds() / 1e9
    summary = alert.summary.replace(f".{session.tag}", "")
    session.tally.alerts.append(
        AlertRecord(session.now(), sku.display_id, tier, state, summary, latency)
    )
    session.note(f"ALERT {tier} {state}: {summary}")


async def poll_quotas(
    session: Session,
    sync: sync_service_pb2_grpc.SyncServiceStub,
    caller: Caller,
    interval: float = 0.5,
) -> None:
    """Reads every platform's quota and listed units of this run's SKUs; records quota moves."""
    while True:
        await read_quotas(session, sync, caller)
        await asyncio.sleep(interval)


async def read_quotas(
    session: Session, sync: sync_service_pb2_grpc.SyncServiceStub, caller: Caller
) -> bool:
    """One reading of every platform's quota of this run's SKUs; False when one was refused."""
    complete = True
    for sku_id in session.tally.skus:
        try:
            response = await caller(
                sync.ListPlatformQuotas,
                quotas_pb2.ListPlatformQuotasRequest(
                    tenant_id=session.scenario.tenant_id, sku_id=sku_id, page_size=100
                ),
            )
        except Refused:
            complete = False
            continue
        for quota in response.quotas:
            _apply_quota(session, quota)
    return complete


def _apply_quota(session: Session, quota: quotas_pb2.PlatformQuota) -> None:
    """A quota shrinks when its platform sells; only the rest is a move between platforms."""
    platform = session.tally.platforms.get(quota.platform_id)
    if platform is None:
        return
    allotted_before = platform.quota_units.get(quota.sku_id, 0) + platform.quota_sold.get(
        quota.sku_id, 0
    )
    first_sight = quota.sku_id not in platform.quota_units
    platform.quota_units[quota.sku_id] = quota.quota_units
    platform.quota_sold[quota.sku_id] = quota.sold_units
    platform.listed_units[quota.sku_id] = quota.listed_units
    tally = session.tally
    tally.skus[quota.sku_id].quota_escrow = sum(
        other.quota_units.get(quota.sku_id, 0) for other in tally.platforms.values()
    )
    allotted = quota.quota_units + quota.sold_units
    if not first_sight and allotted != allotted_before:
        display = session.tally.skus[quota.sku_id].display_id
        session.tally.quota_moves.append(
            QuotaMove(session.now(), display, quota.platform_id, allotted_before, allotted)
        )
