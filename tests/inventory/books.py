"""Checks that a SKU's books balance: its counters equal its ledger, and Reconcile agrees."""

from __future__ import annotations

from collections import defaultdict

from streamstock.inventory.v1 import stock_pb2

from tests.inventory.conftest import Client

# The largest page ListLedgerEntries serves.
LEDGER_PAGE = 1000
# Pages read at most: a bound on the loop, far above what any test writes.
MAX_LEDGER_PAGES = 100


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


async def assert_books_balance(client: Client, sku_id: str) -> stock_pb2.StockLevels:
    """Reconcile (without repair) finds no drift and the ledger sums to the counters; returns
    the SKU's stock levels."""
    report = await client.call("Reconcile", sku_ids=[sku_id], repair=False)
    assert report.checked == 1
    assert list(report.drifts) == []
    stock = await client.stock(sku_id)
    entries = await ledger_of(client, sku_id)
    totals = tuple(
        sum(getattr(entry, f"{counter}_delta") for entry in entries)
        for counter in ("on_hand", "withheld", "reserved", "sold")
    )
    assert totals == (stock.on_hand, stock.withheld, stock.reserved, stock.sold)
    return stock
