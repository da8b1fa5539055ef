"""ReportSales: apply sale, cancellation and refund lines of one platform, idempotent per line.

A batch first holds its request ids (transaction-scoped advisory locks, the transaction's first
statement), then looks up their stored answers: a retry of a report still in flight in another
batch waits for that batch's commit and returns its answer (or REQUEST_ID_REUSED) instead of
judging the lines again. No deadlock: a batch waits for a request id only in that first
statement, holding nothing but ids taken before in it (all in one global order, so those waits
never close a circle), and once past it never waits for a request id again (its answers are
stored under ids it holds), so nothing a batch waits for later is held by one waiting for an id.

The quota rows of the batch's SKUs are locked in SKU order first, so two reports touching the same
SKUs serialise instead of deadlocking, and each line is judged against what is stored for its key.
inventory calls carry request ids derived from the line key, so a batch retried after a failure
applies nothing twice.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from services.runtime.coalescer import Coalescer
from services.sync.domain.errors import InvalidArgument, RequestIdReused
from services.sync.domain.policy import DEFAULT_HALF_LIFE_SECONDS
from services.sync.domain.quota import Quota
from services.sync.domain.sales import (
    LineOutcome,
    LineRecord,
    SaleKind,
    SaleLine,
    Verdict,
    judge_return,
    judge_sale,
    too_late,
    validate_batch,
)
from services.sync.service_layer.deps import Ports, effective_policy, quota_platform
from services.sync.service_layer.escrow import inventory_request_id, set_escrow
from services.sync.service_layer.ports import EscrowRefused, SyncTransaction

log = logging.getLogger(__name__)

_PENDING = Verdict(LineOutcome.REJECTED, reason="INVALID_ARGUMENT", detail="not judged")


@dataclass(frozen=True)
class LineResult:
    line: SaleLine
    verdict: Verdict


@dataclass
class _Batch:
    ports: Ports
    tx: SyncTransaction
    tenant_id: str
    platform_id: str
    quotas: dict[str, Quota]
    half_lives: dict[str, float]
    lines: dict[tuple[str, str, SaleKind], LineRecord] = field(default_factory=dict)
    changed: dict[tuple[str, str, SaleKind], tuple[LineRecord, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    """How to remember a report's answer under its request id, in the batch's own transaction
    (a retry then returns it)."""

    request_id: str
    fingerprint: str
    encode: Callable[[list[LineResult]], bytes]


@dataclass(frozen=True)
class Answer:
    """A report's reply as Receipt.encode made it: for the lines just applied (shared with an
    earlier report of the batch under the same request id), or remembered under its request id.
    Encoded once, for the request log and the caller alike."""

    reply: bytes


Report = tuple[list[SaleLine], Receipt]
_METHOD = "ReportSales"


@dataclass(frozen=True)
class _Follow:
    """A repeat of a request id that came earlier in the same batch: gets that report's answer."""

    index: int


_Slot = Answer | Exception | _Follow | None


class SaleReports:
    """ReportSales. Concurrent reports of one platform are merged into one transaction: their
    request ids are looked up in one query, the quota rows are locked once per batch instead of
    once per report, the answers are remembered in the same commit, and the batch's sales of a SKU
    consume the escrow in one inventory call."""

    def __init__(self, ports: Ports, max_batch: int = 64, dedup_window: float = 0.0) -> None:
        """dedup_window: seconds a line is remembered after its occur_time (0: for ever)."""
        self._ports = ports
        self._dedup_window = dedup_window
        # Group commit: a platform's callers report again right after their answers.
        self._batches: Coalescer[tuple[str, str], Report, Answer] = Coalescer(
            self._decide, max_batch, linger=0.25, max_linger=0.025
        )

    async def report(
        self, tenant_id: str, platform_id: str, lines: list[SaleLine], receipt: Receipt
    ) -> Answer:
        """Raises RequestIdReused when the request id was used with other content, and what
        failed the batch (the platform unknown, inventory unavailable) for a report not answered
        before."""
        if not platform_id:
            raise InvalidArgument("platform_id", "is required")
        validate_batch(lines, self._ports.clock.now())
        return await self._batches.submit((tenant_id, platform_id), (lines, receipt))

    async def _decide(
        self, key: tuple[str, str], reports: list[Report], next_may_start: Callable[[], None]
    ) -> list[Answer | Exception]:
        slots: list[_Slot] = [None] * len(reports)
        fresh: list[int] = []
        try:
            async with self._ports.store.transaction() as tx:
                ids = sorted({receipt.request_id for _, receipt in reports})
                # An attempt of one of these ids may still be in flight (a batch not committed,
                # here or in another replica): wait for it, then answer from what it stored.
                await tx.hold_requests(key[0], _METHOD, ids)
                fresh = _sort_out(reports, await tx.recall_results(key[0], _METHOD, ids), slots)
                if fresh:
                    chosen = [reports[index] for index in fresh]
                    await self._apply(tx, key, chosen, (fresh, slots), next_may_start)
        except Exception as error:  # handed to the reports it failed
            if not fresh:
                raise
            for index in fresh:
                slots[index] = error
        return [_resolved(slots, index) for index in range(len(reports))]

    async def _apply(
        self,
        tx: SyncTransaction,
        key: tuple[str, str],
        reports: list[Report],
        into: tuple[list[int], list[_Slot]],
        next_may_start: Callable[[], None],
    ) -> None:
        indexes, slots = into
        merged = [line for lines, _ in reports for line in lines]
        window_start = self._ports.clock.now() - self._dedup_window if self._dedup_window else None
        results = await apply_sales(self._ports, tx, *key, merged, next_may_start, window_start)
        start, kept = 0, []
        for index, (lines, receipt) in zip(indexes, reports, strict=True):
            reply = receipt.encode(results[start : start + len(lines)])
            start += len(lines)
            slots[index] = Answer(reply)
            kept.append((receipt.request_id, receipt.fingerprint, reply))
        await tx.remember_results(key[0], _METHOD, kept, self._ports.clock.now())


def _sort_out(
    reports: list[Report], remembered: dict[str, tuple[str, bytes]], slots: list[_Slot]
) -> list[int]:
    """The indexes of the reports to apply. The others get their answer now (the reply remembered
    under their request id, or REQUEST_ID_REUSED) or from the report that first had their id."""
    fresh: list[int] = []
    first: dict[str, int] = {}
    for index, (_, receipt) in enumerate(reports):
        request_id = receipt.request_id
        prior = remembered.get(request_id)
        if prior is None and request_id not in first:
            first[request_id] = index
            fresh.append(index)
            continue
        expected = prior[0] if prior is not None else reports[first[request_id]][1].fingerprint
        if expected != receipt.fingerprint:
            slots[index] = RequestIdReused(
                "request_id was used with different content", request_id=request_id
            )
        elif prior is not None:
            slots[index] = Answer(prior[1])
        else:
            slots[index] = _Follow(first[request_id])
    return fresh


def _resolved(slots: list[_Slot], index: int) -> Answer | Exception:
    slot = slots[index]
    if isinstance(slot, _Follow):
        return _resolved(slots, slot.index)
    assert slot is not None
    return slot


async def apply_sales(
    ports: Ports,
    tx: SyncTransaction,
    tenant_id: str,
    platform_id: str,
    lines: list[SaleLine],
    calls_done: Callable[[], None] = lambda: None,
    window_start: float | None = None,
) -> list[LineResult]:
    """Applies the lines in the transaction: sales first (judged in order, consumed together),
    then returns in order, so a return reported with its sale finds the sale applied. Lines that
    happened before `window_start` (the dedup window) are refused and not even looked up.
    `calls_done` is called once inventory was called for every line and only writes are left
    (the next batch may then start: it waits for this one's row locks)."""
    late = [too_late(line, window_start) for line in lines]
    if not any(late):
        return await _apply_in_window(ports, tx, (tenant_id, platform_id), lines, calls_done)
    timely = [line for line, refusal in zip(lines, late, strict=True) if refusal is None]
    applied = iter(await _apply_in_window(ports, tx, (tenant_id, platform_id), timely, calls_done))
    return [
        LineResult(line, refusal) if refusal else next(applied)
        for line, refusal in zip(lines, late, strict=True)
    ]


async def _apply_in_window(
    ports: Ports,
    tx: SyncTransaction,
    key: tuple[str, str],
    lines: list[SaleLine],
    calls_done: Callable[[], None],
) -> list[LineResult]:
    tenant_id, platform_id = key
    await quota_platform(tx, tenant_id, platform_id)
    batch = _Batch(ports, tx, tenant_id, platform_id, {}, {})
    sku_ids = sorted({line.sku_id for line in lines})
    for sku_id in sku_ids:  # before the locks: this overlaps the batch still holding them
        found = await effective_policy(tx, tenant_id, sku_id)
        batch.half_lives[sku_id] = (
            found[0].half_life_seconds if found else DEFAULT_HALF_LIFE_SECONDS
        )
    for sku_id in sku_ids:
        batch.quotas[sku_id] = await tx.lock_quota(tenant_id, sku_id, platform_id)
    keys = sorted({(line.order_id, line.line_id) for line in lines})
    batch.lines = await tx.sale_lines(tenant_id, platform_id, keys)
    verdicts = await _apply_sales(batch, lines)
    for index, line in enumerate(lines):
        if line.kind is not SaleKind.SALE:
            verdicts[index] = await _apply_return(batch, line)
    calls_done()
    now = ports.clock.now()
    for quota in batch.quotas.values():
        await tx.save_quota(quota, now)
    changed = [(key, record, occur) for key, (record, occur) in batch.changed.items()]
    await tx.save_sale_lines(tenant_id, platform_id, changed)
    return [LineResult(line, verdict) for line, verdict in zip(lines, verdicts, strict=True)]


async def _apply_sales(batch: _Batch, lines: list[SaleLine]) -> list[Verdict]:
    verdicts = [_PENDING] * len(lines)
    first: dict[tuple[str, str], int] = {}  # a line key's first new sale in this batch
    repeats: dict[int, int] = {}
    new_sales: list[int] = []
    for index, line in enumerate(lines):
        if line.kind is not SaleKind.SALE:
            continue
        key = (line.order_id, line.line_id)
        if key in first:
            repeats[index] = first[key]
            continue
        verdict = judge_sale(line, await _stored(batch, line, SaleKind.SALE))
        verdicts[index] = verdict
        if verdict.outcome is LineOutcome.APPLIED:
            first[key] = index
            new_sales.append(index)
    for sku_id in sorted({lines[i].sku_id for i in new_sales}):
        of_sku = [i for i in new_sales if lines[i].sku_id == sku_id]
        sold = await _sell(batch, [lines[i] for i in of_sku])
        for index, verdict in zip(of_sku, sold, strict=True):
            verdicts[index] = verdict
    for index, original in repeats.items():
        verdicts[index] = _repeat_of(lines[index], lines[original], verdicts[original])
    return verdicts


def _repeat_of(line: SaleLine, original: SaleLine, verdict: Verdict) -> Verdict:
    """A line sent twice in one batch: judged against the first, once that one was applied."""
    if verdict.outcome is not LineOutcome.APPLIED:
        return verdict
    return judge_sale(line, LineRecord(original.sku_id, original.quantity, original.quantity))


async def _sell(batch: _Batch, sales: list[SaleLine]) -> list[Verdict]:
    """Consumes the escrow for new sales of one SKU: those the quota covers (grown from the pool
    first when it can) in one consumption, the rest one by one, each growing the escrow if it
    can."""
    sku_id = sales[0].sku_id
    needed = sum(line.quantity for line in sales)
    quota = batch.quotas[sku_id]
    if quota.quota_units < needed or not quota.reservation_id:
        with contextlib.suppress(EscrowRefused):
            quota = await set_escrow(batch.ports.escrow, quota, max(needed, quota.quota_units))
    batch.quotas[sku_id] = quota
    covered: list[SaleLine] = []
    room = quota.quota_units if quota.reservation_id else 0
    for line in sales:
        if line.quantity > room:
            break
        covered.append(line)
        room -= line.quantity
    verdicts = await _consume_together(batch, covered) if len(covered) > 1 else []
    for line in sales[len(verdicts) :]:
        verdicts.append(await _apply_sale(batch, line))
    return verdicts


async def _consume_together(batch: _Batch, covered: list[SaleLine]) -> list[Verdict]:
    """One ConsumeReservation for all the covered sales of a SKU: one inventory commit per batch
    instead of one per line. Its request id is numbered by the quota (escrow_seq), not by the
    lines: if sync failed to commit after inventory did, the next batch reuses the number with
    other content and inventory refuses it, and the consumption sync missed shows up as ledger
    and escrow drift that reconciliation books back. Refused, the lines go one by one."""
    quota = batch.quotas[covered[0].sku_id]
    units = sum(line.quantity for line in covered)
    number = inventory_request_id("consume", batch.platform_id, quota.sku_id, quota.escrow_seq)
    try:
        await batch.ports.escrow.consume(
            batch.tenant_id, number, quota.reservation_id, quota.sku_id, units, number
        )
    except EscrowRefused as refused:
        log.warning("batch consumption refused", extra={"why": refused.reason})
        batch.quotas[quota.sku_id] = quota.escrow(quota.quota_units, quota.reservation_id)
        return []
    # The hold lost every covered unit at once, so the quota does too, before a deferred return
    # of one of the lines grows the escrow again from what is really left in it.
    now, half_life = batch.ports.clock.now(), batch.half_lives[quota.sku_id]
    consumed = quota.escrow(quota.quota_units, quota.reservation_id)
    batch.quotas[quota.sku_id] = consumed.sold(units, now, half_life)
    return [await _record_sale(batch, line) for line in covered]


async def _record_sale(batch: _Batch, line: SaleLine) -> Verdict:
    await _save(batch, line, SaleKind.SALE, LineRecord(line.sku_id, line.quantity, line.quantity))
    for kind in (SaleKind.CANCEL, SaleKind.REFUND):
        await _apply_deferred(batch, line, kind)
    return Verdict(LineOutcome.APPLIED, line.quantity)


def _refusal(quota: Quota, line: SaleLine) -> Verdict:
    reason = "QUOTA_EXCEEDED" if quota.consumed_units or quota.quota_units else "SKU_NOT_ALLOCATED"
    detail = f"quota {quota.quota_units}, sold {line.quantity}, and the pool cannot cover it"
    log.warning("sale refused", extra={"platform": quota.platform_id, "sku": line.sku_id})
    return Verdict(LineOutcome.REJECTED, reason=reason, detail=detail)


async def _stored(batch: _Batch, line: SaleLine, kind: SaleKind) -> LineRecord | None:
    return batch.lines.get((line.order_id, line.line_id, kind))


async def _apply_sale(batch: _Batch, line: SaleLine) -> Verdict:
    """One new sale the quota does not cover: grow the escrow from the pool, then consume."""
    quota = batch.quotas[line.sku_id]
    try:
        batch.quotas[line.sku_id] = await _consume(batch, quota, line)
    except EscrowRefused:
        return _refusal(quota, line)
    return await _record_sale(batch, line)


async def _consume(batch: _Batch, quota: Quota, line: SaleLine) -> Quota:
    """Sells the line from the platform's escrow, first growing it from the pool if the platform
    sold more than its quota (a late report after a timed-out shrink, for example)."""
    ports = batch.ports
    if quota.quota_units < line.quantity or not quota.reservation_id:
        quota = await set_escrow(ports.escrow, quota, max(line.quantity, quota.quota_units))
    await ports.escrow.consume(
        batch.tenant_id,
        inventory_request_id("sale", batch.platform_id, line.order_id, line.line_id),
        quota.reservation_id,
        line.sku_id,
        line.quantity,
        line.order_id,
    )
    return quota.sold(line.quantity, ports.clock.now(), batch.half_lives[line.sku_id])


async def _apply_return(batch: _Batch, line: SaleLine) -> Verdict:
    other_kind = SaleKind.REFUND if line.kind is SaleKind.CANCEL else SaleKind.CANCEL
    stored = await _stored(batch, line, line.kind)
    sale = await _stored(batch, line, SaleKind.SALE)
    other = await _stored(batch, line, other_kind)
    verdict = judge_return(line, stored, sale, other.quantity if other else 0)
    if verdict.outcome is LineOutcome.DEFERRED:
        applied = stored.applied_units if stored else 0
        await _save(batch, line, line.kind, LineRecord(line.sku_id, line.quantity, applied))
    if verdict.outcome is LineOutcome.APPLIED:
        await _return_units(
            batch, line, kind=line.kind, totals=(line.quantity, line.quantity), units=verdict.units
        )
    return verdict


async def _apply_deferred(batch: _Batch, sale_line: SaleLine, kind: SaleKind) -> None:
    """Applies a return that arrived before its sale, up to the units the sale left."""
    stored = await _stored(batch, sale_line, kind)
    if stored is None or stored.applied_units >= stored.quantity:
        return
    other_kind = SaleKind.REFUND if kind is SaleKind.CANCEL else SaleKind.CANCEL
    other = await _stored(batch, sale_line, other_kind)
    room = sale_line.quantity - (other.applied_units if other else 0) - stored.applied_units
    units = min(stored.quantity - stored.applied_units, max(0, room))
    if units > 0:
        totals = (stored.quantity, stored.applied_units + units)
        await _return_units(batch, sale_line, kind=kind, totals=totals, units=units)


async def _return_units(
    batch: _Batch, line: SaleLine, *, kind: SaleKind, totals: tuple[int, int], units: int
) -> None:
    """Returns `units` to the pool; totals are the line's (reported, applied) running totals."""
    reported, applied = totals
    await batch.ports.escrow.return_sold(
        batch.tenant_id,
        inventory_request_id(
            "return", batch.platform_id, line.order_id, line.line_id, kind.name, applied
        ),
        line.sku_id,
        units,
        line.order_id,
    )
    batch.quotas[line.sku_id] = await _keep_returned_listed(batch, line.sku_id, units)
    await _save(batch, line, kind, LineRecord(line.sku_id, reported, applied))


async def _save(batch: _Batch, line: SaleLine, kind: SaleKind, record: LineRecord) -> None:
    """Kept in the batch and written with the others before the commit."""
    key = (line.order_id, line.line_id, kind)
    batch.lines[key] = record
    batch.changed[key] = (record, line.occur_time)


async def _keep_returned_listed(batch: _Batch, sku_id: str, units: int) -> Quota:
    """The platform's own net count drops with a return, so by the listing rule it lists the
    returned units again: they go back into its escrow. When the pool was faster, the listing is
    pushed again instead (the next pass does it) so it never exceeds the quota."""
    quota = batch.quotas[sku_id]
    try:
        grown = await set_escrow(batch.ports.escrow, quota, quota.quota_units + units)
    except EscrowRefused:
        return quota.returned(units)
    return replace(grown.returned(units), needs_push=False)
