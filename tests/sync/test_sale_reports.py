"""ReportSales against the real inventory: duplicate, late and out-of-order reports count every
unit exactly once; per-line outcomes; batch validation and idempotency."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

import grpc
import pytest
from streamstock.inventory.v1 import stock_pb2
from streamstock.sync.v1 import errors_pb2, sales_pb2

from tests.sync.conftest import SyncFactory, SyncStack, metadata_of, reason_of, unique

SALE, CANCEL, REFUND = (
    sales_pb2.SALE_KIND_SALE,
    sales_pb2.SALE_KIND_CANCEL,
    sales_pb2.SALE_KIND_REFUND,
)


def sale_line(order: str, sku_id: str, kind: int, quantity: int) -> sales_pb2.SaleLine:
    return sales_pb2.SaleLine(
        order_id=order, line_id="1", sku_id=sku_id, kind=kind, quantity=quantity
    )


async def allocated(stack: SyncStack, on_hand: int) -> tuple[str, str]:
    sku_id = await stack.create_sku(on_hand=on_hand)
    platform = await stack.add_platform(rate=1)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    return sku_id, platform.platform_id


async def report(stack: SyncStack, platform_id: str, lines: list[sales_pb2.SaleLine]) -> list[int]:
    reply = await stack.service.ReportSales(
        request_id=unique("report"), platform_id=platform_id, lines=lines
    )
    return [r.outcome for r in reply.results]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_duplicate_late_and_out_of_order_reports_count_every_unit_once(
    sync_stack: SyncFactory, seed: int
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=200)
    chooser = random.Random(seed)
    truth: list[sales_pb2.SaleLine] = []
    net_sold = 0
    for number in range(40):
        quantity = chooser.randint(1, 3)
        truth.append(sale_line(f"o{number}", sku_id, SALE, quantity))
        net_sold += quantity
        if chooser.random() < 0.3:
            cancelled = chooser.randint(1, quantity)
            truth.append(sale_line(f"o{number}", sku_id, CANCEL, cancelled))
            net_sold -= cancelled
    # The platform resends a third of its lines, and the whole stream arrives shuffled.
    stream = truth + chooser.sample(truth, len(truth) // 3)
    chooser.shuffle(stream)
    outcomes: Counter[int] = Counter()
    for start in range(0, len(stream), 7):
        outcomes.update(await report(stack, platform_id, stream[start : start + 7]))

    assert outcomes[sales_pb2.SALE_LINE_OUTCOME_REJECTED] == 0
    quota = (await stack.quotas(sku_id))[platform_id]
    stock = await stack.sku_stock(sku_id)
    assert quota.sold_units == net_sold
    assert stock.sold == net_sold
    assert stock.on_hand == 200 - net_sold
    assert quota.quota_units + quota.sold_units + stock.sellable == 200


async def test_a_cancellation_before_its_sale_is_deferred_then_applied(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    early = await report(stack, platform_id, [sale_line("o1", sku_id, CANCEL, 2)])
    assert early == [sales_pb2.SALE_LINE_OUTCOME_DEFERRED]
    assert (await stack.sku_stock(sku_id)).sold == 0
    assert await report(stack, platform_id, [sale_line("o1", sku_id, SALE, 5)]) == [
        sales_pb2.SALE_LINE_OUTCOME_APPLIED
    ]
    assert (await stack.sku_stock(sku_id)).sold == 3
    assert await report(stack, platform_id, [sale_line("o1", sku_id, CANCEL, 2)]) == [
        sales_pb2.SALE_LINE_OUTCOME_DUPLICATE
    ]
    assert (await stack.quotas(sku_id))[platform_id].sold_units == 3


async def test_a_deferred_return_applied_inside_a_merged_sale_keeps_the_hold_equal_to_the_quota(
    sync_stack: SyncFactory,
) -> None:
    """Sales consumed together in one inventory call, the first with a cancellation reported
    before it: the escrow hold in inventory ends equal to the quota sync keeps."""
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=40)
    assert await report(stack, platform_id, [sale_line("o1", sku_id, CANCEL, 1)]) == [
        sales_pb2.SALE_LINE_OUTCOME_DEFERRED
    ]
    sales = [sale_line(f"o{n}", sku_id, SALE, 3) for n in (1, 2, 3)]
    assert await report(stack, platform_id, sales) == [sales_pb2.SALE_LINE_OUTCOME_APPLIED] * 3
    quota = (await stack.quotas(sku_id))[platform_id]
    hold = await stack.stock.GetReservation(reservation_id=quota.reservation_id)
    assert quota.sold_units == 8
    assert hold.reservation.lines[0].quantity == quota.quota_units
    stock = await stack.sku_stock(sku_id)
    assert (stock.sold, stock.reserved) == (8, quota.quota_units)


async def test_applied_refunds_return_units_to_stock_and_to_the_platforms_quota(
    sync_stack: SyncFactory,
) -> None:
    """Refunds carry the line's running total: each higher total returns the difference, a lower
    one is a duplicate, one before its sale waits for it, and a cancellation and a refund of a line
    together never return more than it sold."""
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    applied, duplicate, deferred = (
        sales_pb2.SALE_LINE_OUTCOME_APPLIED,
        sales_pb2.SALE_LINE_OUTCOME_DUPLICATE,
        sales_pb2.SALE_LINE_OUTCOME_DEFERRED,
    )
    sales = [sale_line("o1", sku_id, SALE, 5), sale_line("o2", sku_id, SALE, 3)]
    assert await report(stack, platform_id, sales) == [applied, applied]
    assert await report(stack, platform_id, [sale_line("o1", sku_id, REFUND, 2)]) == [applied]
    quota = (await stack.quotas(sku_id))[platform_id]
    stock = await stack.sku_stock(sku_id)
    assert (quota.sold_units, quota.quota_units) == (6, 14)
    assert (stock.sold, stock.on_hand, stock.reserved) == (6, 14, 14)

    returns = [
        sale_line("o1", sku_id, REFUND, 4),  # two more refunded
        sale_line("o1", sku_id, REFUND, 3),  # an older total, late
        sale_line("o2", sku_id, CANCEL, 1),
        sale_line("o2", sku_id, REFUND, 2),  # with the cancellation, all 3 of the line
        sale_line("o3", sku_id, REFUND, 2),  # before its sale
    ]
    assert await report(stack, platform_id, returns) == [
        applied,
        duplicate,
        applied,
        applied,
        deferred,
    ]
    reply = await stack.service.ReportSales(
        request_id=unique("report"),
        platform_id=platform_id,
        lines=[sale_line("o2", sku_id, REFUND, 3), sale_line("o3", sku_id, SALE, 2)],
    )
    too_much, late_sale = reply.results
    assert (too_much.outcome, too_much.reason) == (
        sales_pb2.SALE_LINE_OUTCOME_REJECTED,
        errors_pb2.ERROR_REASON_RETURN_EXCEEDS_SALE,
    )
    assert late_sale.outcome == applied

    # Sold 10 (5 + 3 + 2), returned 9 (4 + 1 + 2 + 2): every returned unit is back on hand and,
    # the platform's own net count having dropped by it, in its quota again.
    quota = (await stack.quotas(sku_id))[platform_id]
    stock = await stack.sku_stock(sku_id)
    assert (quota.sold_units, quota.quota_units) == (1, 19)
    assert (stock.sold, stock.on_hand, stock.reserved, stock.sellable) == (1, 19, 19, 0)
    hold = await stack.stock.GetReservation(reservation_id=quota.reservation_id)
    assert (hold.reservation.lines[0].quantity, hold.reservation.lines[0].consumed_quantity) == (
        19,
        10,
    )
    entries = (await stack.stock.ListLedgerEntries(sku_id=sku_id, page_size=1000)).entries
    returned = [e.sold_delta for e in entries if e.reason == stock_pb2.LEDGER_REASON_RETURN]
    consumed = [e.sold_delta for e in entries if e.reason == stock_pb2.LEDGER_REASON_CONSUME]
    assert sorted(returned) == [-2, -2, -2, -2, -1]
    assert sum(consumed) == 10
    check = await stack.admin.Reconcile(request_id=unique("rec"), platform_id=platform_id)
    assert check.reconciliation.drift_count == 0


async def test_conflicting_and_excessive_lines_are_rejected_with_their_reason(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    await report(stack, platform_id, [sale_line("o1", sku_id, SALE, 2)])
    reply = await stack.service.ReportSales(
        request_id=unique("report"),
        platform_id=platform_id,
        lines=[
            sale_line("o1", sku_id, SALE, 3),
            sale_line("o1", sku_id, REFUND, 3),
            sale_line("o2", sku_id, SALE, 21),
        ],
    )
    reasons = [(r.outcome, r.reason) for r in reply.results]
    rejected = sales_pb2.SALE_LINE_OUTCOME_REJECTED
    assert reasons == [
        (rejected, errors_pb2.ERROR_REASON_SALE_LINE_CONFLICT),
        (rejected, errors_pb2.ERROR_REASON_RETURN_EXCEEDS_SALE),
        (rejected, errors_pb2.ERROR_REASON_QUOTA_EXCEEDED),
    ]
    assert (await stack.sku_stock(sku_id)).sold == 2


async def test_a_sale_beyond_the_quota_is_covered_from_the_pool(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    await stack.stock.Restock(request_id=unique("restock"), sku_id=sku_id, quantity=5)
    assert await report(stack, platform_id, [sale_line("o1", sku_id, SALE, 23)]) == [
        sales_pb2.SALE_LINE_OUTCOME_APPLIED
    ]
    stock = await stack.sku_stock(sku_id)
    assert (stock.sold, stock.reserved, stock.sellable) == (23, 0, 2)


async def test_a_retried_batch_returns_the_first_answer_and_a_reused_id_is_refused(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    request_id = unique("report")
    lines = [sale_line("o1", sku_id, SALE, 2)]
    first = await stack.service.ReportSales(
        request_id=request_id, platform_id=platform_id, lines=lines
    )
    again = await stack.service.ReportSales(
        request_id=request_id, platform_id=platform_id, lines=lines
    )
    assert again == first
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stack.service.ReportSales(
            request_id=request_id,
            platform_id=platform_id,
            lines=[sale_line("o2", sku_id, SALE, 1)],
        )
    assert refused.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(refused.value) == "REQUEST_ID_REUSED"
    assert (await stack.sku_stock(sku_id)).sold == 2


async def test_concurrent_copies_of_a_report_share_one_answer_and_a_reused_id_is_refused(
    sync_stack: SyncFactory,
) -> None:
    """Reports sent at once are merged into batches (the first alone, the rest together), so the
    copies of one request id meet in a batch: one answer for all, the units sold once."""
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    request_id = unique("report")
    lines = [sale_line("o1", sku_id, SALE, 2), sale_line("o2", sku_id, SALE, 1)]

    async def send(request_id: str, lines: list[sales_pb2.SaleLine]) -> object:
        try:
            return await stack.service.ReportSales(
                request_id=request_id, platform_id=platform_id, lines=lines
            )
        except grpc.aio.AioRpcError as error:
            return error

    replies = await asyncio.gather(
        send(unique("other"), [sale_line("o0", sku_id, SALE, 1)]),
        *(send(request_id, lines) for _ in range(3)),
        send(request_id, [sale_line("o3", sku_id, SALE, 1)]),
    )
    copies, reused = replies[1:4], replies[4]
    assert isinstance(copies[0], sales_pb2.ReportSalesResponse)
    assert all(copy == copies[0] for copy in copies)
    assert [r.outcome for r in copies[0].results] == [sales_pb2.SALE_LINE_OUTCOME_APPLIED] * 2
    assert isinstance(reused, grpc.aio.AioRpcError)
    assert reused.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(reused) == "REQUEST_ID_REUSED"
    assert (await stack.sku_stock(sku_id)).sold == 4
    again = await stack.service.ReportSales(
        request_id=request_id, platform_id=platform_id, lines=lines
    )
    assert again == copies[0]


async def test_a_malformed_line_fails_the_batch_naming_it_and_changes_nothing(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stack.service.ReportSales(
            request_id=unique("report"),
            platform_id=platform_id,
            lines=[sale_line("o1", sku_id, SALE, 2), sale_line("o2", sku_id, SALE, 0)],
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "INVALID_ARGUMENT"
    assert (await stack.sku_stock(sku_id)).sold == 0


async def test_a_line_dated_more_than_a_day_ahead_fails_the_batch_naming_it(
    sync_stack: SyncFactory,
) -> None:
    """A line dated far in the future would be remembered that much past the dedup window; a
    platform clock a few hours fast is still accepted."""
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    soon, far = sale_line("o1", sku_id, SALE, 1), sale_line("o2", sku_id, SALE, 1)
    soon.occur_time.FromSeconds(int(time.time()) + 6 * 3600)
    far.occur_time.FromSeconds(int(time.time()) + 2 * 86400)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await report(stack, platform_id, [soon, far])
    assert (
        refused.value.code(),
        reason_of(refused.value),
        metadata_of(refused.value)["field"],
    ) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
        "lines[1].occur_time",
    )
    assert (await stack.sku_stock(sku_id)).sold == 0
    assert await report(stack, platform_id, [soon]) == [sales_pb2.SALE_LINE_OUTCOME_APPLIED]


async def test_reports_of_unknown_platforms_and_other_tenants_are_refused(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, _ = await allocated(stack, on_hand=5)
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await stack.service.ReportSales(
            request_id=unique("report"),
            platform_id="nobody",
            lines=[sale_line("o1", sku_id, SALE, 1)],
        )
    assert reason_of(unknown.value) == "PLATFORM_NOT_FOUND"
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await stack.admin.GetSkuAllocation(tenant_id="globex", sku_id=sku_id)
    assert reason_of(foreign.value) == "TENANT_MISMATCH"
