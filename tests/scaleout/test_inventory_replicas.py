"""Two inventory replicas side by side on the same PostgreSQL and Redis: the invariants hold.

Each replica has its own coalescer, sold-out gate cache and sweeper; they meet only in
PostgreSQL (row locks, SKIP LOCKED) and Redis (versioned gate entries).
"""

from __future__ import annotations

import asyncio

import grpc
from streamstock.inventory.v1 import inventory_service_pb2_grpc, stock_pb2

from tests.conftest import API_KEYS, StartService
from tests.inventory.conftest import Client, reason_of, seconds, unique


async def replicas(start_service: StartService, **overrides: object) -> list[Client]:
    started = [await start_service("inventory", **overrides) for _ in range(2)]
    return [
        Client(
            inventory_service_pb2_grpc.InventoryServiceStub(s.channel), "acme", API_KEYS.acme_admin
        )
        for s in started
    ]


async def test_holds_split_across_replicas_never_oversell(start_service: StartService) -> None:
    first, second = await replicas(start_service)
    sku = await first.create_sku(300)
    outcomes = await asyncio.gather(
        *((first if n % 2 else second).hold(sku, 1) for n in range(900)), return_exceptions=True
    )
    held = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(held) == 300 and len(refused) == 600
    assert {reason_of(r) for r in refused} == {"INSUFFICIENT_STOCK"}
    for replica in (first, second):
        stock = await replica.stock(sku)
        assert (stock.reserved, stock.sellable) == (300, 0)
    report = await second.call("Reconcile", sku_ids=[sku])
    assert list(report.drifts) == []


async def test_one_request_id_sent_to_both_replicas_holds_once(
    start_service: StartService,
) -> None:
    first, second = await replicas(start_service)
    sku = await first.create_sku(100)
    request_id = unique("twice")
    answers = await asyncio.gather(
        *(
            (first if n % 2 else second).hold(
                sku, 1, request_id=request_id, user_id="u1", order_id="o1"
            )
            for n in range(20)
        )
    )
    assert len({a.reservation_id for a in answers}) == 1
    assert (await first.stock(sku)).reserved == 1


async def test_both_sweepers_expire_each_hold_exactly_once(start_service: StartService) -> None:
    first, second = await replicas(start_service)
    sku = await first.create_sku(200, hold_ttl=seconds(1))
    await asyncio.gather(*((first if n % 2 else second).hold(sku, 1) for n in range(200)))
    # Reads stop counting the holds at their deadline; the sweepers book the expiries after.
    expiries: list[stock_pb2.LedgerEntry] = []
    for _ in range(100):  # the sweepers nap 0.5 s between passes; 20 s is a generous bound
        entries = await ledger(first, sku)
        expiries = [e for e in entries if e.reason == stock_pb2.LEDGER_REASON_EXPIRE]
        if len(expiries) >= 200:
            break
        await asyncio.sleep(0.2)
    assert len(expiries) == 200
    assert len({e.reference for e in expiries}) == 200
    assert sum(e.reserved_delta for e in entries) == 0
    stock = await first.stock(sku)
    assert (stock.reserved, stock.sellable) == (0, 200)
    assert list((await second.call("Reconcile", sku_ids=[sku])).drifts) == []


async def ledger(client: Client, sku: str) -> list[stock_pb2.LedgerEntry]:
    entries: list[stock_pb2.LedgerEntry] = []
    page_token = ""
    while True:
        page = await client.call(
            "ListLedgerEntries", sku_id=sku, page_size=1000, page_token=page_token
        )
        entries += page.entries
        if not (page_token := page.next_page_token):
            return entries
