"""A payment inventory booked but whose answer the driver never got (every attempt lost, or the
session closed while it waited) is still a sale: the report looks it up before counting what the
buyers paid, so a healthy run cannot break "every paid unit counted once"."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2

from tests.conftest import API_KEYS, RunningService, StartService
from tests.livesale.test_play import TINY
from tools.livesale.calls import Caller, RequestRate
from tools.livesale.scenario import parse_scenario
from tools.livesale.session import Session
from tools.livesale.shoppers import Buyer, Crowd, settle_lost_payments
from tools.livesale.staging import create_skus
from tools.livesale.tally import PlatformTally, SessionTally, SkuTally


class AnswerLost:
    """Inventory's stub, except that ConfirmReservation's answer never arrives: the call commits,
    then each attempt ends as DEADLINE_EXCEEDED (or, with `hang`, waits until cancelled)."""

    def __init__(
        self, stub: inventory_service_pb2_grpc.InventoryServiceStub, *, hang: bool
    ) -> None:
        self._stub = stub
        self._hang = hang
        self.committed = asyncio.Event()
        self.attempts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stub, name)

    async def ConfirmReservation(self, request: Any, **call: Any) -> Any:
        self.attempts += 1
        await self._stub.ConfirmReservation(request, **call)
        self.committed.set()
        if self._hang:
            await asyncio.Event().wait()
        raise grpc.aio.AioRpcError(
            grpc.StatusCode.DEADLINE_EXCEEDED, grpc.aio.Metadata(), grpc.aio.Metadata(), "lost"
        )


async def _crowd(inventory: RunningService, *, hang: bool) -> tuple[Session, Crowd, AnswerLost]:
    scenario = parse_scenario(TINY)
    keys = Caller(API_KEYS.acme_admin, RequestRate(), retry_delays=(0.001, 0.001))
    stub = AnswerLost(inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel), hang=hang)
    session = Session(
        scenario=scenario,
        tag=f"lost{random.randrange(10**6)}",
        tally=SessionTally(skus={}, platforms={}),
        inventory=stub,  # type: ignore[arg-type]
        as_admin=keys,
        as_platform=Caller(API_KEYS.service, RequestRate(), retry_delays=(0.001, 0.001)),
        random=random.Random(3),
    )
    for plan in scenario.skus:
        sku_id = session.sku_id(plan.sku_id)
        session.tally.skus[sku_id] = SkuTally(sku_id, plan.sku_id, plan.forecast_units)
    platform = PlatformTally("douyin", "douyin", "SHARED", "inventory")
    session.tally.platforms["douyin"] = platform
    await create_skus(session)
    return session, Crowd(session, platform, 0), stub


@pytest.fixture
async def inventory(start_service: StartService) -> RunningService:
    return await start_service("inventory")


async def _held(session: Session, crowd: Crowd) -> Any:
    lipstick = session.scenario.sku("lipstick")
    reservation = await crowd._genuine_hold(Buyer("buyer-1", "device-1", "100.64.0.1"), lipstick, 2)
    assert reservation is not None
    return reservation


async def _sold(session: Session) -> int:
    response = await session.as_admin(
        session.inventory.GetSku,
        inventory_api.GetSkuRequest(
            tenant_id=session.scenario.tenant_id, sku_id=session.sku_id("lipstick")
        ),
    )
    return int(response.sku.stock.sold)


@pytest.mark.timeout(60)
async def test_a_confirm_whose_every_answer_was_lost_is_counted_once_looked_up(
    inventory: RunningService,
) -> None:
    session, crowd, stub = await _crowd(inventory, hang=False)
    reservation = await _held(session, crowd)

    await crowd._confirm(reservation, session.scenario.sku("lipstick"), 2)
    assert stub.attempts == 3  # the driver gave up
    tally = session.tally
    assert tally.direct_units_paid == 0 and list(tally.unsettled) == [reservation.order_id]

    await settle_lost_payments(session)
    lipstick = tally.skus[session.sku_id("lipstick")]
    assert (lipstick.paid, tally.direct_units_paid, tally.payments_found_after_all) == (2, 2, 1)
    assert tally.unsettled == {}
    assert await _sold(session) == lipstick.paid


@pytest.mark.timeout(60)
async def test_a_confirm_cut_short_by_the_closing_session_is_counted_once_looked_up(
    inventory: RunningService,
) -> None:
    session, crowd, stub = await _crowd(inventory, hang=True)
    reservation = await _held(session, crowd)

    paying = asyncio.create_task(crowd._confirm(reservation, session.scenario.sku("lipstick"), 2))
    await asyncio.wait_for(stub.committed.wait(), timeout=20)
    paying.cancel()  # what Crowd.stop does to a journey still waiting after its grace period
    await asyncio.gather(paying, return_exceptions=True)
    assert session.tally.direct_units_paid == 0

    await settle_lost_payments(session)
    assert session.tally.skus[session.sku_id("lipstick")].paid == 2
    assert await _sold(session) == 2


@pytest.mark.timeout(60)
async def test_a_lost_answer_to_a_refused_hold_counts_nothing(
    inventory: RunningService,
) -> None:
    session, crowd, _ = await _crowd(inventory, hang=False)
    reservation = await _held(session, crowd)
    await session.as_admin(
        session.inventory.ReleaseReservation,
        inventory_api.ReleaseReservationRequest(
            tenant_id=session.scenario.tenant_id,
            request_id=session.next_id("release"),
            reservation_id=reservation.reservation_id,
            reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
        ),
    )
    await crowd._confirm(reservation, session.scenario.sku("lipstick"), 2)  # refused: released
    await settle_lost_payments(session)
    assert session.tally.direct_units_paid == 0 and session.tally.unsettled == {}
    assert await _sold(session) == 0
