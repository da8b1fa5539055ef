"""The crowd of a platform that calls inventory directly: genuine buyers who browse, hold, then pay,
abandon or walk away, and hoarder bots that hold the limit from many accounts on few devices and
never pay. Each call is what a platform backend sends on the buyer's behalf."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import reservation_pb2, stock_pb2

from tools.livesale.calls import TRANSIENT, Refused
from tools.livesale.scenario import Burst, HoarderPlan, SkuPlan
from tools.livesale.session import Session
from tools.livesale.tally import PlatformTally, UnsettledPayment

RISK_BLOCKED: Final = "RISK_BLOCKED"
RISK_CHALLENGE: Final = "RISK_CHALLENGE_REQUIRED"
SOLD_OUT: Final = "INSUFFICIENT_STOCK"
# Longest a call sent before the session closed may take to be answered (every attempt of
# calls.Caller with its deadline and pauses).
_STOP_SECONDS: Final = 25.0


@dataclass(frozen=True)
class Buyer:
    """Who a platform says is buying."""

    user_id: str
    device_id: str
    ip: str

    def context(self, platform_id: str) -> reservation_pb2.BuyerContext:
        return reservation_pb2.BuyerContext(
            platform_id=platform_id, ip=self.ip, device_id=self.device_id
        )


def pick_sku(session: Session) -> SkuPlan:
    skus = session.scenario.skus
    return session.random.choices(skus, weights=[sku.demand_weight for sku in skus])[0]


def hold_quantity(sku: SkuPlan, wanted: int) -> int:
    """What a buyer asks for: what they want, within the per-user and per-order limits."""
    limits = [limit for limit in (sku.policy.per_user_limit, sku.policy.max_per_order) if limit]
    return min([wanted, *limits])


class Crowd:
    """Buyers arriving on one platform at its selling speed until the session ends."""

    def __init__(self, session: Session, platform: PlatformTally, buyers_per_minute: float) -> None:
        self._session = session
        self._platform = platform
        self._rate = session.scenario.timescale.rate_to_real(buyers_per_minute)
        self._in_flight = asyncio.Semaphore(session.scenario.max_in_flight)
        self._journeys: set[asyncio.Task[None]] = set()
        self._closing = asyncio.Event()
        self._arrivals = itertools.count(1)

    async def arrive(self) -> None:
        """Lets buyers in (a Poisson process) until the session is over."""
        if self._rate <= 0:
            return
        while not self._session.over():
            await asyncio.sleep(self._session.random.expovariate(self._rate))
            self._track(self._journey(self._new_buyer()))

    async def rush(self, burst: Burst) -> None:
        """The host holds the product up: `burst.buyers` buyers tap "buy" on it at once."""
        await self._session.sleep_until(burst.at)
        self._session.note(f"rush: {burst.buyers} buyers on {burst.sku_id}")
        sku = self._session.scenario.sku(burst.sku_id)
        for _ in range(burst.buyers):
            self._track(self._journey(self._new_buyer(), sku))

    def _track(self, journey: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(journey)
        self._journeys.add(task)
        task.add_done_callback(self._journeys.discard)

    async def hoard(self, plan: HoarderPlan) -> None:
        """Bots: every attempt from one of `accounts` accounts sharing few devices and IPs."""
        rate = self._session.scenario.timescale.rate_to_real(plan.holds_per_minute)
        if rate <= 0:
            return
        await self._session.sleep_until(plan.start)
        self._session.note(f"hoarders start on {self._platform.platform_id}")
        while self._session.now() < min(plan.stop, self._session.scenario.duration):
            await asyncio.sleep(self._session.random.expovariate(rate))
            account = self._session.random.randrange(plan.accounts)
            bot = Buyer(
                user_id=f"bot-{self._session.tag}-{account}",
                device_id=f"bot-device-{account % plan.devices}",
                ip=f"203.0.113.{account % plan.ips + 1}",
            )
            self._track(self._hoarder_hold(bot))

    async def stop(self) -> None:
        """Buyers still browsing or deciding leave (their holds run out on their own); calls
        already sent get time to be answered. A payment cut short here stays unsettled, and the
        report looks it up (settle_lost_payments), so no payment goes uncounted."""
        self._closing.set()
        if self._journeys:
            _, stuck = await asyncio.wait(set(self._journeys), timeout=_STOP_SECONDS)
            for journey in stuck:
                journey.cancel()
            await asyncio.gather(*stuck, return_exceptions=True)

    async def _linger(self, session_seconds: float) -> bool:
        """Waits like a buyer does; False when the session closed meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                self._closing.wait(), self._session.scenario.timescale.to_real(session_seconds)
            )
        return not self._closing.is_set()

    def _new_buyer(self) -> Buyer:
        number = next(self._arrivals)
        name = f"{self._platform.platform_id}-{self._session.tag}-{number}"
        return Buyer(
            user_id=f"buyer-{name}",
            device_id=f"device-{name}",
            ip=f"100.{64 + number // 65536 % 64}.{number // 256 % 256}.{number % 256}",
        )

    async def _journey(self, buyer: Buyer, wanted: SkuPlan | None = None) -> None:
        """Browse (unless rushing for `wanted`), hold, then pay, abandon or walk away."""
        session, behaviour = self._session, self._session.scenario.buyers
        self._platform.buyers += 1
        think = session.random.uniform(behaviour.think_time_min, behaviour.think_time_max)
        if wanted is None and not await self._linger(think):
            return
        sku = wanted or pick_sku(session)
        quantity = hold_quantity(sku, session.random.randint(1, behaviour.max_quantity))
        fate = session.random.random()
        pays = fate < behaviour.pay_probability
        abandons = not pays and fate < behaviour.pay_probability + behaviour.abandon_probability
        if sku.policy.lock_stage == "PAYMENT":
            if pays:
                await self._purchase(buyer, sku, quantity)
            return
        reservation = await self._genuine_hold(buyer, sku, quantity)
        if reservation is None:
            return
        if not await self._linger(
            session.random.uniform(behaviour.pay_delay_min, behaviour.pay_delay_max)
        ):
            return
        if pays:
            await self._confirm(reservation, sku, quantity)
        elif abandons:
            await self._release(reservation)

    async def _genuine_hold(
        self, buyer: Buyer, sku: SkuPlan, quantity: int
    ) -> reservation_pb2.Reservation | None:
        risk = self._session.tally.risk
        risk.genuine_attempts += 1
        try:
            reservation = await self._reserve(buyer, sku, quantity)
        except Refused as refusal:
            if refusal.reason == RISK_BLOCKED:
                risk.genuine_blocked += 1
            elif refusal.reason == RISK_CHALLENGE:
                risk.genuine_challenged += 1
            elif refusal.reason == SOLD_OUT:
                risk.genuine_sold_out += 1
            self._platform.refusals[refusal.reason] += 1
            return None
        self._platform.holds += 1
        return reservation

    async def _hoarder_hold(self, bot: Buyer) -> None:
        sku = pick_sku(self._session)
        if sku.policy.lock_stage == "PAYMENT":
            return  # nothing to hoard: PAYMENT-stage SKUs are never held before payment
        quantity = hold_quantity(sku, 5)
        risk = self._session.tally.risk
        risk.hoarder_attempts += 1
        try:
            await self._reserve(bot, sku, quantity)
        except Refused as refusal:
            if refusal.reason == RISK_BLOCKED:
                risk.hoarder_blocked += 1
            elif refusal.reason == RISK_CHALLENGE:
                risk.hoarder_challenged += 1
            self._platform.refusals[f"bot {refusal.reason}"] += 1
            return
        risk.hoarder_holds += 1
        risk.hoarder_units_held += quantity

    async def _reserve(
        self, buyer: Buyer, sku: SkuPlan, quantity: int
    ) -> reservation_pb2.Reservation:
        session = self._session
        request = inventory_api.ReserveRequest(
            **self._order(buyer, sku, quantity, "hold"),
            lock_stage=stock_pb2.LockStage.Value(f"LOCK_STAGE_{sku.policy.lock_stage}"),
            purpose=reservation_pb2.RESERVATION_PURPOSE_BUYER,
        )
        async with self._in_flight:
            response: inventory_api.ReserveResponse = await session.as_platform(
                session.inventory.Reserve, request
            )
        return response.reservation

    async def _purchase(self, buyer: Buyer, sku: SkuPlan, quantity: int) -> None:
        session = self._session
        session.tally.risk.genuine_attempts += 1
        request = inventory_api.PurchaseRequest(
            **self._order(buyer, sku, quantity, "purchase"),
            payment_reference=session.next_id("pay"),
        )
        payment = self._payment(request.order_id, sku, quantity)
        refusal = await self._pay(session.inventory.Purchase, request, "", payment)
        if refusal is not None and refusal.reason == SOLD_OUT:
            session.tally.risk.genuine_sold_out += 1

    async def _confirm(
        self, reservation: reservation_pb2.Reservation, sku: SkuPlan, quantity: int
    ) -> None:
        session = self._session
        request = inventory_api.ConfirmReservationRequest(
            tenant_id=session.scenario.tenant_id,
            request_id=session.next_id("confirm"),
            reservation_id=reservation.reservation_id,
            payment_reference=session.next_id("pay"),
        )
        payment = self._payment(reservation.order_id, sku, quantity)
        await self._pay(session.inventory.ConfirmReservation, request, "pay ", payment)

    def _payment(self, order_id: str, sku: SkuPlan, quantity: int) -> UnsettledPayment:
        return UnsettledPayment(
            order_id,
            self._session.sku_id(sku.sku_id),
            self._platform.platform_id,
            quantity,
        )

    async def _pay(
        self,
        method: Callable[..., Awaitable[Any]],
        request: Any,
        step: str,
        payment: UnsettledPayment,
    ) -> Refused | None:
        """Pays and counts the units when the service says so. A payment whose answer never came
        (every attempt lost, or the session closed meanwhile: a cancellation leaves it here too)
        stays unsettled until the report looks it up (settle_lost_payments)."""
        tally = self._session.tally
        tally.unsettled[payment.order_id] = payment
        refusal = await self._settle(method, request, step)
        if refusal is not None and refusal.code in TRANSIENT:
            return refusal
        del tally.unsettled[payment.order_id]
        if refusal is None:
            tally.paid(payment.platform_id, payment.sku_id, payment.quantity)
        return refusal

    async def _release(self, reservation: reservation_pb2.Reservation) -> None:
        session = self._session
        request = inventory_api.ReleaseReservationRequest(
            tenant_id=session.scenario.tenant_id,
            request_id=session.next_id("release"),
            reservation_id=reservation.reservation_id,
            reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
        )
        await self._settle(session.inventory.ReleaseReservation, request, "release ")

    def _order(self, buyer: Buyer, sku: SkuPlan, quantity: int, step: str) -> dict[str, Any]:
        """The fields a hold and a purchase share: who orders what, from which platform."""
        session = self._session
        return {
            "tenant_id": session.scenario.tenant_id,
            "request_id": session.next_id(step),
            "user_id": buyer.user_id,
            "order_id": session.next_id("order"),
            "lines": [
                inventory_api.ReserveLine(sku_id=session.sku_id(sku.sku_id), quantity=quantity)
            ],
            "buyer": buyer.context(self._platform.platform_id),
        }

    async def _settle(
        self, method: Callable[..., Awaitable[Any]], request: Any, step: str
    ) -> Refused | None:
        """Pays, buys or cancels; a refusal is counted under the step's name and returned."""
        try:
            async with self._in_flight:
                await self._session.as_platform(method, request)
        except Refused as refusal:
            self._platform.refusals[f"{step}{refusal.reason}"] += 1
            return refusal
        return None


async def settle_lost_payments(session: Session) -> None:
    """Looks up every payment whose answer never came and counts the ones inventory confirmed:
    the buyer was charged, whatever the lost answer would have said."""
    tally = session.tally
    for order_id, payment in list(tally.unsettled.items()):
        try:
            response = await session.as_admin(
                session.inventory.ListReservations,
                inventory_api.ListReservationsRequest(
                    tenant_id=session.scenario.tenant_id, order_id=order_id
                ),
            )
        except Refused:
            continue  # still unknown: the report's per-SKU count will say so
        del tally.unsettled[order_id]
        if any(
            held.state == reservation_pb2.RESERVATION_STATE_CONFIRMED
            for held in response.reservations
        ):
            tally.paid(payment.platform_id, payment.sku_id, payment.quantity)
            tally.payments_found_after_all += 1
