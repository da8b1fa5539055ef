"""sync forgets what grows with traffic, and what it forgot changes no count and no answer it must
keep: sale lines go after the dedup window (a repeat of a forgotten line, or any line that old, is
refused as SALE_LINE_TOO_LATE), answered request ids after the request retention (a retry is then
a new request), reconciliations after theirs. Every test runs the service's own background job on
a manual clock."""

from __future__ import annotations

from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import timestamp_pb2
from streamstock.sync.v1 import errors_pb2, sales_pb2

from services.sync.service_layer import retention
from tests.sync.conftest import (
    ManualClock,
    SyncFactory,
    SyncStack,
    eventually,
    reason_of,
    unique,
)
from tests.sync.test_sale_reports import allocated

SALE, CANCEL = sales_pb2.SALE_KIND_SALE, sales_pb2.SALE_KIND_CANCEL
APPLIED, DUPLICATE, DEFERRED, REJECTED = (
    sales_pb2.SALE_LINE_OUTCOME_APPLIED,
    sales_pb2.SALE_LINE_OUTCOME_DUPLICATE,
    sales_pb2.SALE_LINE_OUTCOME_DEFERRED,
    sales_pb2.SALE_LINE_OUTCOME_REJECTED,
)
TOO_LATE = errors_pb2.ERROR_REASON_SALE_LINE_TOO_LATE
HOUR, DAY = 3600.0, 86400.0
WINDOW = DAY  # the dedup window of these tests


@pytest.fixture
def clock(manual_clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """sync started after this fixture (list it first) runs on the ManualClock, and its retention
    job every 50 ms."""
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", 0.05)
    return manual_clock


def stamp(seconds: float) -> timestamp_pb2.Timestamp:
    moment = timestamp_pb2.Timestamp()
    moment.FromSeconds(int(seconds))
    return moment


def line(order: str, sku_id: str, kind: int, quantity: int, at: float | None) -> Any:
    fields: dict[str, Any] = {"occur_time": stamp(at)} if at is not None else {}
    return sales_pb2.SaleLine(
        order_id=order, line_id="1", sku_id=sku_id, kind=kind, quantity=quantity, **fields
    )


async def report(stack: SyncStack, platform_id: str, *lines: Any, request_id: str = "") -> Any:
    return await stack.service.ReportSales(
        request_id=request_id or unique("report"), platform_id=platform_id, lines=list(lines)
    )


def outcomes(reply: Any) -> list[tuple[int, int]]:
    return [(r.outcome, r.reason) for r in reply.results]


async def counts(stack: SyncStack, sku_id: str, platform_id: str) -> tuple[int, ...]:
    """What sales changed: the quota's counters and inventory's stock."""
    quota = (await stack.quotas(sku_id))[platform_id]
    stock = await stack.sku_stock(sku_id)
    return (
        quota.quota_units,
        quota.sold_units,
        stock.sold,
        stock.on_hand,
        stock.sellable,
        stock.reserved,
    )


async def stored_lines(db: asyncpg.Pool, platform_id: str) -> set[tuple[str, int]]:
    found = await db.fetch(
        "SELECT order_id, kind FROM sale_lines WHERE platform_id = $1", platform_id
    )
    return {(row["order_id"], row["kind"]) for row in found}


async def test_a_forgotten_sale_line_repeated_or_any_line_that_old_is_refused_and_counts_nothing(
    clock: ManualClock,
    sync_stack: SyncFactory,
    sync_db: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS", str(WINDOW))
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=100)
    sold_at = clock.now()
    first = await report(
        stack,
        platform_id,
        line("old", sku_id, SALE, 3, sold_at),
        line("untimed", sku_id, SALE, 1, None),  # cannot be aged: remembered for ever
        line("returned", sku_id, SALE, 4, sold_at),
        line("returned", sku_id, CANCEL, 1, sold_at),
    )
    assert [o for o, _ in outcomes(first)] == [APPLIED] * 4
    clock.advance(WINDOW / 2)
    # A higher cancelled total, later: the return's record is kept for the later time.
    raised_at = clock.now()
    raised = await report(stack, platform_id, line("returned", sku_id, CANCEL, 2, raised_at))
    assert outcomes(raised) == [(APPLIED, 0)]
    clock.advance(WINDOW / 2 + retention.CLOCK_MARGIN_SECONDS + 60)
    recent_at = clock.now()
    recent = await report(stack, platform_id, line("recent", sku_id, SALE, 2, recent_at))
    assert outcomes(recent) == [(APPLIED, 0)]
    before = await counts(stack, sku_id, platform_id)

    async def forgotten() -> bool:
        return ("old", SALE) not in await stored_lines(sync_db, platform_id)

    await eventually(forgotten, timeout=10)
    assert await stored_lines(sync_db, platform_id) == {
        ("untimed", SALE),
        ("returned", CANCEL),  # its latest report is within the window
        ("recent", SALE),
    }
    assert await counts(stack, sku_id, platform_id) == before  # forgetting counts nothing

    repeats = await report(
        stack,
        platform_id,
        line("old", sku_id, SALE, 3, sold_at),  # a repeat of a forgotten line
        line("never-seen", sku_id, SALE, 1, sold_at),  # a first report, as late
        line("returned", sku_id, SALE, 4, sold_at),
        line("untimed", sku_id, SALE, 1, None),
        line("recent", sku_id, SALE, 2, recent_at),
        line("returned", sku_id, CANCEL, 2, raised_at),
    )
    assert outcomes(repeats) == [
        (REJECTED, TOO_LATE),
        (REJECTED, TOO_LATE),
        (REJECTED, TOO_LATE),
        (DUPLICATE, 0),
        (DUPLICATE, 0),
        (DUPLICATE, 0),
    ]
    assert "dedup window" in repeats.results[0].detail
    # A return of a forgotten sale cannot be matched to it: deferred, nothing returned.
    late_return = await report(stack, platform_id, line("old", sku_id, CANCEL, 1, clock.now()))
    assert outcomes(late_return) == [(DEFERRED, 0)]
    assert await counts(stack, sku_id, platform_id) == before


async def test_an_answered_report_is_replayed_within_the_request_retention_then_is_new(
    clock: ManualClock,
    sync_stack: SyncFactory,
    sync_db: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS", str(HOUR))
    monkeypatch.setenv("STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS", str(WINDOW))
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=50)
    retried, reused, recent = unique("retried"), unique("reused"), unique("recent")
    sale = line("o1", sku_id, SALE, 2, clock.now())
    other = line("o2", sku_id, SALE, 1, clock.now())

    assert outcomes(await report(stack, platform_id, sale, request_id=retried)) == [(APPLIED, 0)]
    assert outcomes(await report(stack, platform_id, other, request_id=reused)) == [(APPLIED, 0)]
    clock.advance(HOUR - 60)
    replayed = await report(stack, platform_id, sale, request_id=retried)
    assert outcomes(replayed) == [(APPLIED, 0)]  # the first answer, within the retention
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await report(stack, platform_id, sale, request_id=reused)
    assert reason_of(refused.value) == "REQUEST_ID_REUSED"
    await report(stack, platform_id, line("o3", sku_id, SALE, 1, clock.now()), request_id=recent)
    before = await counts(stack, sku_id, platform_id)

    clock.advance(120)  # the first two ids are past the retention, `recent` is not

    async def answers(request_id: str) -> int:
        return int(
            await sync_db.fetchval(
                "SELECT count(*) FROM request_results WHERE request_id = $1", request_id
            )
        )

    async def forgotten() -> bool:
        return await answers(retried) + await answers(reused) == 0

    await eventually(forgotten, timeout=10)
    assert await answers(recent) == 1
    again = await report(stack, platform_id, sale, request_id=retried)
    assert outcomes(again) == [(DUPLICATE, 0)]  # a new request: its line is judged again
    assert await counts(stack, sku_id, platform_id) == before
    # A new request may carry other content under a forgotten id.
    fresh = await report(
        stack, platform_id, line("o4", sku_id, SALE, 1, clock.now()), request_id=reused
    )
    assert outcomes(fresh) == [(APPLIED, 0)]


async def test_reconciliations_are_kept_for_their_retention_then_forgotten(
    clock: ManualClock, sync_stack: SyncFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAMSTOCK_SYNC_RECONCILIATION_RETENTION_SECONDS", str(2 * DAY))
    stack = await sync_stack()
    await allocated(stack, on_hand=10)
    old = (await stack.admin.Reconcile(request_id=unique("run"))).reconciliation
    clock.advance(DAY)
    recent = (await stack.admin.Reconcile(request_id=unique("run"))).reconciliation
    clock.advance(DAY + 60)

    async def old_forgotten() -> bool:
        try:
            await stack.admin.GetReconciliation(reconciliation_id=old.reconciliation_id)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND
            assert reason_of(error) == "RECONCILIATION_NOT_FOUND"
            return True
        return False

    await eventually(old_forgotten, timeout=10)
    kept = await stack.admin.GetReconciliation(reconciliation_id=recent.reconciliation_id)
    assert kept.reconciliation.reconciliation_id == recent.reconciliation_id
    listed = await stack.admin.ListReconciliations(page_size=1000)
    ids = {run.reconciliation_id for run in listed.reconciliations}
    assert recent.reconciliation_id in ids and old.reconciliation_id not in ids
