"""A simulated QUOTA-mode platform: it serves PlatformListingService, sells from the quantity sync
pushed to it at a configurable rate, and reports its sales to SyncService.ReportSales, on purpose
late, twice or out of order, with some cancellations (sometimes reported before their sale). It
can go down (stop serving, selling and reporting) and come back on the same port.

The listing rule is the contract's: a pushed version lists `listed_units - (own sold -
sold_units_applied)`, so sales sync has not heard of yet are never listed twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from streamstock.sync.v1 import (
    platform_listing_service_pb2 as listing_pb2,
)
from streamstock.sync.v1 import (
    platform_listing_service_pb2_grpc as listing_grpc,
)
from streamstock.sync.v1 import (
    sales_pb2,
    sync_service_pb2_grpc,
)

log = logging.getLogger(__name__)


@dataclass
class Misbehaviour:
    """How badly the platform reports: each a probability per line."""

    late: float = 0.0  # held back for a few report rounds
    duplicate: float = 0.0  # sent again in a later round
    shuffle: bool = False  # each round's lines in random order
    cancel: float = 0.0  # the unit is cancelled after the sale
    cancel_first: float = 0.0  # of those, the cancellation is reported before the sale


@dataclass
class SkuListing:
    version: int = 0
    listed_units: int = 0
    sold_units_applied: int = 0
    sold_units: int = 0  # own cumulative sold, net of cancellations

    @property
    def available(self) -> int:
        return max(0, self.listed_units - (self.sold_units - self.sold_units_applied))


@dataclass
class Tally:
    sold: int = 0
    cancelled: int = 0
    refused: int = 0  # lines sync refused (the platform cancels them)
    refusals: list[str] = field(default_factory=list)  # why, as sync said
    reports_sent: int = 0
    sale_times: list[float] = field(default_factory=list)  # monotonic time of every sale
    outcomes: dict[str, int] = field(default_factory=dict)


class SimulatedPlatform(listing_grpc.PlatformListingServiceServicer):  # type: ignore[misc]
    def __init__(
        self,
        *,
        tenant_id: str,
        platform_id: str,
        sync_channel: grpc.aio.Channel,
        api_key: str,
        units_per_second: float,
        report_interval: float = 0.1,
        misbehaviour: Misbehaviour | None = None,
        seed: int = 0,
        token: str = "",
    ) -> None:
        self.tenant_id = tenant_id
        self.platform_id = platform_id
        self.listings: dict[str, SkuListing] = {}
        self.tally = Tally()
        self._sync = sync_service_pb2_grpc.SyncServiceStub(sync_channel)
        self._metadata = (("x-api-key", api_key),)
        self._rate = units_per_second
        self._report_interval = report_interval
        self._misbehaviour = misbehaviour or Misbehaviour()
        self._random = random.Random(seed)
        self._token = token
        self._orders = itertools.count(1)
        self._outbox: list[tuple[int, sales_pb2.SaleLine]] = []  # (rounds to wait, line)
        self._in_flight = 0
        self._cancelled: set[str] = set()
        self._refused: set[tuple[str, str]] = set()
        self._up = asyncio.Event()
        self._up.set()
        self._server: grpc.aio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.port = 0
        self.authorizations: list[str] = []  # the authorization metadata of every push received

    # serving

    async def PushListing(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        authorization = str(dict(context.invocation_metadata() or ()).get("authorization", ""))
        self.authorizations.append(authorization)
        if self._token and authorization != f"Bearer {self._token}":
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "bad credentials")
        if not self._up.is_set():
            await context.abort(grpc.StatusCode.UNAVAILABLE, "platform is down")
        listing = self.listings.setdefault(request.sku_id, SkuListing())
        if request.version > listing.version:
            listing.version = request.version
            listing.listed_units = request.listed_units
            listing.sold_units_applied = request.sold_units_applied
        return listing_pb2.PushListingResponse(
            acknowledged_version=listing.version,
            listed_units=listing.available,
            platform_sold_units=listing.sold_units,
        )

    async def start(self, port: int = 0) -> int:
        self._server = grpc.aio.server()
        listing_grpc.add_PlatformListingServiceServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port(f"127.0.0.1:{port or self.port}")
        await self._server.start()
        self._up.set()
        return self.port

    async def go_down(self) -> None:
        """Stops serving, selling and reporting, as a platform outage does."""
        self._up.clear()
        if self._server is not None:
            await self._server.stop(0)
            self._server = None

    async def come_back(self) -> None:
        await self.start(self.port)

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    # selling and reporting

    def run(self, sku_ids: list[str]) -> None:
        self._tasks = [
            asyncio.create_task(self._sell(sku_ids)),
            asyncio.create_task(self._report()),
        ]

    async def stop_selling(self) -> None:
        """Stops selling; reports keep going until the outbox is empty."""
        seller = self._tasks[0] if self._tasks else None
        if seller is not None:
            seller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await seller

    @property
    def outbox_empty(self) -> bool:
        """True when every sale so far was reported and answered."""
        return not self._outbox and not self._in_flight

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.stop(0)

    async def _sell(self, sku_ids: list[str]) -> None:
        while True:
            await asyncio.sleep(1.0 / self._rate)
            await self._up.wait()
            for sku_id in sku_ids:
                listing = self.listings.get(sku_id)
                if listing is not None and listing.available > 0:
                    self._sell_one(sku_id, listing)
                    break

    def _sell_one(self, sku_id: str, listing: SkuListing) -> None:
        listing.sold_units += 1
        self.tally.sold += 1
        self.tally.sale_times.append(time.monotonic())
        order_id = f"{self.platform_id}-o{next(self._orders)}"
        # Like a real platform, every line carries the platform's time of the sale, the same on
        # every resend: it dates the line for sync's dedup window.
        sold_at = Timestamp()
        sold_at.GetCurrentTime()
        sale = sales_pb2.SaleLine(
            order_id=order_id,
            line_id="1",
            sku_id=sku_id,
            kind=sales_pb2.SALE_KIND_SALE,
            quantity=1,
            occur_time=sold_at,
        )
        odd = self._misbehaviour
        lines = [sale]
        if self._random.random() < odd.cancel:
            listing.sold_units -= 1
            self.tally.cancelled += 1
            self._cancelled.add(order_id)
            cancel = sales_pb2.SaleLine()
            cancel.CopyFrom(sale)  # the same line, unit and time, cancelled
            cancel.kind = sales_pb2.SALE_KIND_CANCEL
            lines = [cancel, sale] if self._random.random() < odd.cancel_first else [sale, cancel]
        for line in lines:
            delay = self._random.randint(1, 5) if self._random.random() < odd.late else 0
            self._outbox.append((delay, line))
            if self._random.random() < odd.duplicate:
                self._outbox.append((self._random.randint(0, 3), line))

    async def _report(self) -> None:
        for round_number in itertools.count():
            await asyncio.sleep(self._report_interval)
            await self._up.wait()
            # A line sync refused is never sent again: the platform cancelled its order.
            due = [
                line
                for wait, line in self._outbox
                if wait <= 0 and (line.order_id, line.line_id) not in self._refused
            ]
            self._outbox = [(wait - 1, line) for wait, line in self._outbox if wait > 0]
            if not due:
                continue
            if self._misbehaviour.shuffle:
                self._random.shuffle(due)
            self._in_flight = len(due)
            try:
                await self._send(due, round_number)
            finally:
                self._in_flight = 0

    async def _send(self, lines: list[sales_pb2.SaleLine], round_number: int) -> None:
        request = sales_pb2.ReportSalesRequest(
            tenant_id=self.tenant_id,
            request_id=f"{self.platform_id}-report-{round_number}",
            platform_id=self.platform_id,
            lines=lines,
        )
        try:
            reply = await self._sync.ReportSales(request, metadata=self._metadata, timeout=5)
        except grpc.aio.AioRpcError as error:
            log.warning("report failed, will resend: %s", error.code().name)
            self._outbox += [(1, line) for line in lines]
            return
        self.tally.reports_sent += 1
        for line, result in zip(lines, reply.results, strict=True):
            name = sales_pb2.SaleLineOutcome.Name(result.outcome)
            self.tally.outcomes[name] = self.tally.outcomes.get(name, 0) + 1
            if (
                result.outcome == sales_pb2.SALE_LINE_OUTCOME_REJECTED
                and line.kind == sales_pb2.SALE_KIND_SALE
            ):
                self._refuse(line, result.detail)

    def _refuse(self, line: sales_pb2.SaleLine, detail: str) -> None:
        """sync could not cover the sale: the platform cancels the order with the buyer. An order
        the buyer had cancelled already is simply forgotten."""
        if (line.order_id, line.line_id) in self._refused:
            return  # the same line refused again (it was sent twice)
        self._refused.add((line.order_id, line.line_id))
        self.tally.refused += line.quantity
        self.tally.refusals.append(f"{line.order_id}: {detail}")
        self.tally.sold -= line.quantity
        if line.order_id in self._cancelled:
            self._cancelled.discard(line.order_id)
            self.tally.cancelled -= line.quantity
            return
        listing = self.listings.get(line.sku_id)
        if listing is not None:
            listing.sold_units -= line.quantity
