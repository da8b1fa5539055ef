"""Sale, cancellation and refund lines reported by platforms, and what a report of one means.

A line is identified by (platform, order, line, kind). A SALE is reported once with a fixed
quantity; a CANCEL or REFUND carries the running total returned so far, so a higher total applies
the difference and a lower or equal one is a duplicate. A return that arrives before its sale is
deferred and applied when the sale arrives; returns never exceed the units sold on the line.

Records are kept for a dedup window after the line's occur_time (the latest one of a return's
reports), then forgotten; a line that happened before the window is refused, seen or not, so a
repeat of a forgotten line never counts twice. A stored line's time is the one its reports carry,
never sync's own clock: a repeat carries the same time, so the rule that forgets a record and the
one that refuses its repeats look at the same value whatever the platform's clock says. A line
reported without occur_time cannot be aged, so it is never refused and never forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from services.sync.domain.errors import InvalidArgument

MAX_LINES = 1000
# How far ahead of sync's clock a line's occur_time may be (platform clocks drift, time zones get
# mixed up); a line dated later would be remembered that much longer than the dedup window.
MAX_AHEAD_SECONDS = 86_400.0
# inventory's business ids: the order id and SKU travel on to it.
BUSINESS_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


class SaleKind(IntEnum):
    SALE = 1
    CANCEL = 2
    REFUND = 3


class LineOutcome(IntEnum):
    APPLIED = 1
    DUPLICATE = 2
    DEFERRED = 3
    REJECTED = 4


@dataclass(frozen=True)
class SaleLine:
    order_id: str
    line_id: str
    sku_id: str
    kind: SaleKind
    quantity: int
    occur_time: float = 0.0

    def validate(self, index: int, now: float) -> None:
        where = f"lines[{index}]"
        for name in ("order_id", "line_id", "sku_id"):
            value = getattr(self, name)
            if not BUSINESS_ID.fullmatch(value):
                raise InvalidArgument(
                    f"{where}.{name}", "1-128 characters of letters, digits and ._:@/+=-"
                )
        if self.kind not in (SaleKind.SALE, SaleKind.CANCEL, SaleKind.REFUND):
            raise InvalidArgument(f"{where}.kind", "must be SALE, CANCEL or REFUND")
        if self.quantity <= 0 or self.quantity > 1_000_000:
            raise InvalidArgument(f"{where}.quantity", "must be 1 to 1,000,000")
        if self.occur_time > now + MAX_AHEAD_SECONDS:
            raise InvalidArgument(
                f"{where}.occur_time", f"is more than a day after now ({_moment(now)})"
            )


def validate_batch(lines: list[SaleLine], now: float) -> None:
    if not 1 <= len(lines) <= MAX_LINES:
        raise InvalidArgument("lines", f"must hold 1 to {MAX_LINES} lines")
    for index, line in enumerate(lines):
        line.validate(index, now)


@dataclass(frozen=True)
class LineRecord:
    """What sync stored of one line key: the SKU, the reported quantity (the SALE's units or the
    highest running total of a return) and the units applied so far."""

    sku_id: str
    quantity: int
    applied_units: int


@dataclass(frozen=True)
class Verdict:
    outcome: LineOutcome
    units: int = 0  # units to apply now (sale units, or the returned difference)
    reason: str = ""
    detail: str = ""


def too_late(line: SaleLine, window_start: float | None) -> Verdict | None:
    """Refuses a line that happened before the dedup window starts (None: no window). Its record
    may already be forgotten, so counting it could count it twice; a line without occur_time
    cannot be aged and is remembered for ever instead."""
    if window_start is None or not line.occur_time or line.occur_time >= window_start:
        return None
    return Verdict(
        LineOutcome.REJECTED,
        reason="SALE_LINE_TOO_LATE",
        detail=f"occurred at {_moment(line.occur_time)}, before the dedup window starting at "
        f"{_moment(window_start)}",
    )


def _moment(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def judge_sale(line: SaleLine, stored: LineRecord | None) -> Verdict:
    if stored is None:
        return Verdict(LineOutcome.APPLIED, line.quantity)
    if stored.sku_id != line.sku_id or stored.quantity != line.quantity:
        return _conflict(f"sold {stored.quantity} of {stored.sku_id} before")
    return Verdict(LineOutcome.DUPLICATE)


def judge_return(
    line: SaleLine, stored: LineRecord | None, sale: LineRecord | None, other_returns: int
) -> Verdict:
    """`other_returns`: the units of the other return kind already reported on the line."""
    if stored is not None and stored.sku_id != line.sku_id:
        return _conflict(f"returned units of {stored.sku_id} before")
    if sale is not None and sale.sku_id != line.sku_id:
        return _conflict(f"the sale was of {sale.sku_id}")
    if stored is not None and line.quantity <= stored.quantity:
        return Verdict(LineOutcome.DUPLICATE)
    if sale is None:
        return Verdict(LineOutcome.DEFERRED)
    if line.quantity + other_returns > sale.quantity:
        return Verdict(
            LineOutcome.REJECTED,
            reason="RETURN_EXCEEDS_SALE",
            detail=f"{line.quantity + other_returns} returned of {sale.quantity} sold",
        )
    already = stored.applied_units if stored is not None else 0
    return Verdict(LineOutcome.APPLIED, line.quantity - already)


def _conflict(detail: str) -> Verdict:
    return Verdict(LineOutcome.REJECTED, reason="SALE_LINE_CONFLICT", detail=detail)
