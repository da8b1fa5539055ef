"""Checks that a SKU's books balance: its counters equal its ledger, and Reconcile agrees."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from streamstock.inventory.v1 import stock_pb2

from tests.inventory.conftest import Client

# The largest page ListLedgerEntries serves.
LEDGER_PAGE = 1000
# Pages read at most: a bound on the loop, far above what any test writes.
MAX_LEDGER_PAGES = 100
# The counters, in StockLevels order; each has a delta column in the ledger.
COUNTERS = ("on_hand", "withheld", "reserved", "sold")


async def ledger_of(client: Client, sku_id: str) -> list[stock_pb2.LedgerEntry]:
    """Every ledger entry of the SKU, oldest first."""
    entries: list[stock_pb2.LedgerEntry] = []
    token = ""
    for _ in range(MAX_LEDGER_PAGES):
        page = await client.call(
            "ListLedgerEntries", sku_id=sku_id, page_size=LEDGER_PAGE, page_token=token
        )
        entries.extend(page.entries)
        token = page.next_page_token
        if not token:
            return entries
    raise AssertionError(f"ledger of {sku_id} longer than {MAX_LEDGER_PAGES} pages")


def reasons_by_reference(entries: list[stock_pb2.LedgerEntry]) -> dict[str, list[str]]:
    """The ledger reasons recorded for each reservation (or request), in ledger order."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        reasons[entry.reference].append(stock_pb2.LedgerReason.Name(entry.reason))
    return reasons


def ledger_totals(entries: list[stock_pb2.LedgerEntry]) -> dict[str, int]:
    """What the entries add up to, per counter (Reconcile proves the counters hold this)."""
    return {
        counter: sum(getattr(entry, f"{counter}_delta") for entry in entries)
        for counter in COUNTERS
    }


async def assert_books_balance(client: Client, sku_id: str) -> stock_pb2.StockLevels:
    """Reconcile (without repair) finds no drift and the ledger sums to the counters; returns
    the SKU's stock levels."""
    report = await client.call("Reconcile", sku_ids=[sku_id], repair=False)
    assert report.checked == 1
    assert list(report.drifts) == []
    stock = await client.stock(sku_id)
    totals = ledger_totals(await ledger_of(client, sku_id))
    assert tuple(totals.values()) == (stock.on_hand, stock.withheld, stock.reserved, stock.sold)
    return stock


async def swept(client: Client, sku_id: str, timeout: float = 10.0) -> int:
    """Sweeps until the SKU's books hold no reserved unit, when every hold on it is due; returns
    how many holds these sweeps expired.

    Reads cannot tell when that is: GetSku and GetReservation never count a due hold, booked or
    not. And a sweep passes by the due holds another transaction has locked (SKIP LOCKED), such
    as the batch of a sweeper that claimed them and has not yet committed their EXPIRE entries.
    So this waits for the ledger, whose reserved total is the reserved counter."""
    deadline = asyncio.get_running_loop().time() + timeout
    expired = 0
    while reserved := ledger_totals(await ledger_of(client, sku_id))["reserved"]:
        assert asyncio.get_running_loop().time() < deadline, f"{sku_id} still reserves {reserved}"
        expired += (await client.call("SweepExpired", limit=1000)).expired
    return expired
