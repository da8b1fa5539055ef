"""The final report of a session and the invariants it proves: nothing oversold, counters equal to
their ledger, every paid unit counted. A broken invariant makes the exit status non-zero."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from tools.livesale.tally import (
    AlertRecord,
    HoldTally,
    PlatformBooks,
    QuotaMove,
    RiskTally,
    SessionTally,
)


@dataclass(frozen=True)
class SkuOutcome:
    """A SKU at the end, as GetSku reads it, beside what it ever received."""

    sku_id: str
    received: int  # initial on_hand plus restocks
    on_hand: int
    withheld: int
    reserved: int
    sold: int
    sellable: int
    forecast_units: int
    sale_status: str = "ON_SALE"  # alerting may have paused it on RED
    paid: int = 0  # units this run's buyers were told they paid for
    quota_sold: int = 0  # units the QUOTA platforms sold, as sync applied them (read at the end)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.received)


@dataclass(frozen=True)
class Invariant:
    """One property the run must end with."""

    name: str
    holds: bool
    detail: str


@dataclass(frozen=True)
class PlatformOutcome:
    """One platform's results."""

    platform_id: str
    mode: str
    selling_through: str
    buyers: int
    holds: int
    units_paid: int
    quota_sold: int
    refusals: dict[str, int]
    # A QUOTA platform's own books (tools/platform_sim), None for the others: what it sold per SKU,
    # net of what sync rejected, and the sale lines sync rejected (the platform cancels those).
    reported_sold: dict[str, int] | None = None
    rejected: int | None = None
    # Sync's sold units of the platform per SKU, read at the end.
    quota_sold_by_sku: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    """Everything the run ends with."""

    scenario: str
    real_seconds: float
    session_seconds: float
    skus: list[SkuOutcome]
    platforms: list[PlatformOutcome]
    holds: HoldTally
    risk: RiskTally
    alerts: list[AlertRecord]
    quota_moves: list[QuotaMove]
    services: dict[str, str]
    direct_units_paid: int
    drifts: list[str]
    requests: int
    peak_requests_per_second: int
    restocks: int
    notes: list[str] = field(default_factory=list)
    # None: no QUOTA platform sold through sync; else whether every sale they made was reported
    # and answered before the report was read.
    quota_settled: bool | None = None
    quota_read: bool = True  # sync's quotas were read afresh for the report
    unsettled_payments: int = 0  # payments whose outcome stayed unknown
    payments_found_after_all: int = 0  # payments whose answer was lost, found confirmed

    @property
    def units_sold(self) -> int:
        return sum(sku.sold for sku in self.skus)

    @property
    def oversold(self) -> int:
        return sum(sku.oversold for sku in self.skus)

    @property
    def quota_units_sold(self) -> int:
        return sum(sku.quota_sold for sku in self.skus)

    def invariants(self) -> list[Invariant]:
        over = [
            f"{sku.sku_id} sold {sku.sold} of {sku.received}" for sku in self.skus if sku.oversold
        ]
        negative = [
            f"{sku.sku_id} on_hand {sku.on_hand} < withheld {sku.withheld} + reserved {sku.reserved}"
            for sku in self.skus
            if sku.on_hand < sku.withheld + sku.reserved or sku.sellable < 0
        ]
        unbalanced = [
            f"{sku.sku_id} received {sku.received} != on_hand {sku.on_hand} + sold {sku.sold}"
            for sku in self.skus
            if sku.received != sku.on_hand + sku.sold
        ]
        return [
            Invariant("nothing oversold (sold <= received)", not over, "; ".join(over) or "0"),
            Invariant(
                "commitments within stock (withheld + reserved <= on_hand; a cross-check, the "
                "database CHECK enforces it)",
                not negative,
                "; ".join(negative) or "ok",
            ),
            Invariant(
                "every unit received is on hand or sold",
                not unbalanced,
                "; ".join(unbalanced) or "ok",
            ),
            Invariant(
                "counters match the ledger (Reconcile)",
                not self.drifts,
                "; ".join(self.drifts) or "no drift",
            ),
            *self._payment_invariants(),
            *self._platform_invariants(),
        ]

    def _payment_invariants(self) -> list[Invariant]:
        """What buyers were told against what inventory booked, SKU by SKU (a global sum would
        let one SKU's missing sale cancel another's extra one)."""
        uncounted = [
            f"{sku.sku_id} sold {sku.sold} != paid {sku.paid} + quota {sku.quota_sold}"
            for sku in self.skus
            if sku.sold != sku.paid + sku.quota_sold
        ]
        promised = [
            f"{sku.sku_id} paid {sku.paid} + quota {sku.quota_sold} > received {sku.received}"
            for sku in self.skus
            if sku.paid + sku.quota_sold > sku.received
        ]
        traded = self.direct_units_paid > 0 and (
            self.quota_settled is None or self.quota_units_sold > 0
        )
        return [
            Invariant(
                "every paid unit counted once, per SKU (sold = buyers' payments + quota sales)",
                not uncounted,
                "; ".join(uncounted)
                or f"{self.direct_units_paid} paid directly + {self.quota_units_sold} through "
                f"quotas = {self.units_sold} sold",
            ),
            Invariant(
                "no buyer paid for a unit that was not there (paid <= received, per SKU)",
                not promised,
                "; ".join(promised) or "ok",
            ),
            Invariant(
                "every payment's outcome known (lost answers looked up)",
                self.unsettled_payments == 0,
                f"{self.unsettled_payments} unknown, "
                f"{self.payments_found_after_all} found confirmed after the answer was lost",
            ),
            Invariant(
                "the session traded (units paid directly, and through quotas when sync runs)",
                traded,
                f"{self.direct_units_paid} direct, {self.quota_units_sold} through quotas",
            ),
        ]

    def _platform_invariants(self) -> list[Invariant]:
        """The simulated QUOTA platforms' own books against sync's."""
        quota = [platform for platform in self.platforms if platform.reported_sold is not None]
        if self.quota_settled is None or not quota:
            return []
        differing = [difference for platform in quota for difference in _books_differ(platform)]
        if not self.quota_read:
            differing.append("sync's quotas could not be read for the report")
        rejected = {platform.platform_id: platform.rejected or 0 for platform in quota}
        return [
            Invariant(
                "quota platforms reported every sale before the report (settled)",
                self.quota_settled,
                "yes" if self.quota_settled else "sales still unreported or unanswered",
            ),
            Invariant(
                "platform-reported sales = quota sold in sync (per platform and SKU)",
                not differing,
                "; ".join(differing)
                or f"{sum(sum((p.reported_sold or {}).values()) for p in quota)} units",
            ),
            Invariant(
                "every platform sale accepted by sync (rejected = 0)",
                not any(rejected.values()),
                ", ".join(f"{name} {count}" for name, count in rejected.items()),
            ),
        ]

    @property
    def ok(self) -> bool:
        return all(invariant.holds for invariant in self.invariants())

    def exit_status(self) -> int:
        return 0 if self.ok else 1

    def write_json(self, path: Path) -> None:
        document = asdict(self)
        document["invariants"] = [asdict(invariant) for invariant in self.invariants()]
        document["units_sold"] = self.units_sold
        document["oversold"] = self.oversold
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, default=str) + "\n")

    def render(self) -> Group:
        return Group(
            Text(
                f"\n{self.scenario}: {self.session_seconds / 60:.0f} session minutes in "
                f"{self.real_seconds:.1f} s, {self.requests} requests "
                f"(peak {self.peak_requests_per_second}/s)",
                style="bold",
            ),
            _stock_table(self.skus),
            _platform_table(self.platforms),
            _summary_table(self),
            _alert_table(self.alerts, self.services.get("alerting", "")),
            _invariant_table(self.invariants()),
            Text(
                "ALL INVARIANTS HOLD" if self.ok else "INVARIANT BROKEN: exit status 1",
                style="bold green" if self.ok else "bold red",
            ),
        )

    def print(self, console: Console) -> None:
        console.print(self.render())


_STOCK_COLUMNS = (
    ("received", "received"),
    ("sold", "sold"),
    ("forecast", "forecast_units"),
    ("on hand", "on_hand"),
    ("withheld", "withheld"),
    ("reserved", "reserved"),
    ("sellable", "sellable"),
    ("oversold", "oversold"),
    ("status", "sale_status"),
)


def _stock_table(skus: Sequence[SkuOutcome]) -> Table:
    table = Table(title="stock at the end (GetSku)")
    table.add_column("SKU")
    for title, _ in _STOCK_COLUMNS:
        table.add_column(title, justify="right")
    for sku in skus:
        table.add_row(sku.sku_id, *(str(getattr(sku, name)) for _, name in _STOCK_COLUMNS))
    return table


def _platform_table(platforms: Sequence[PlatformOutcome]) -> Table:
    table = _table(
        "platforms",
        "platform|mode|sells through|buyers|holds|paid|quota sold|refusals",
    )
    for platform in platforms:
        refusals = ", ".join(
            f"{reason} {count}" for reason, count in sorted(platform.refusals.items())
        )
        table.add_row(
            platform.platform_id,
            platform.mode,
            platform.selling_through,
            str(platform.buyers),
            str(platform.holds),
            str(platform.units_paid),
            str(platform.quota_sold),
            refusals or "-",
        )
    return table


def _summary_table(report: Report) -> Table:
    holds, risk = report.holds, report.risk
    table = Table(title="holds, hoarders, quotas", show_header=False)
    table.add_column("what")
    table.add_column("value")
    rows = [
        ("units sold", str(report.units_sold)),
        ("oversold", str(report.oversold)),
        ("restocks delivered", str(report.restocks)),
        (
            "buyer holds taken / paid / released",
            f"{holds.created} / {holds.confirmed} / {holds.released}",
        ),
        ("holds expired and returned", f"{holds.expired} holds, {holds.expired_units} units"),
        ("expiring-soon notices", str(holds.expiring_soon)),
        (
            "hoarder holds: attempted / risk-blocked / challenged / refused otherwise / granted",
            f"{risk.hoarder_attempts} / {risk.hoarder_blocked} / {risk.hoarder_challenged} / "
            f"{risk.hoarder_refused_otherwise} / {risk.hoarder_holds} "
            f"({risk.hoarder_units_held} units)",
        ),
        (
            "genuine buyers affected: blocked / challenged / turned away sold out",
            f"{risk.genuine_blocked} / {risk.genuine_challenged} / {risk.genuine_sold_out} "
            f"of {risk.genuine_attempts} attempts",
        ),
        ("quota moves between platforms", _quota_moves(report)),
    ]
    rows += [(f"{name}", status) for name, status in sorted(report.services.items())]
    for what, value in rows:
        table.add_row(what, value)
    return table


def _quota_moves(report: Report) -> str:
    sync = report.services.get("sync", "")
    if sync != "running":
        return f"sync: {sync}"
    moved = sum(abs(move.after - move.before) for move in report.quota_moves)
    return f"{len(report.quota_moves)} moves, {moved} units"


def _alert_table(alerts: Sequence[AlertRecord], alerting: str) -> Table:
    title = "alerts" if alerting == "running" else f"alerts (alerting: {alerting})"
    table = _table(title, "session time|SKU|tier|state|latency|summary")
    for alert in alerts:
        latency = "-" if alert.latency_seconds is None else f"{alert.latency_seconds * 1000:.0f} ms"
        table.add_row(
            f"{alert.session_time / 60:.1f} min",
            alert.sku_id,
            alert.tier,
            alert.state,
            latency,
            Text(alert.summary),  # alerting's text: never read as markup
        )
    return table


def _invariant_table(invariants: Sequence[Invariant]) -> Table:
    table = _table("invariants", "invariant|holds|detail")
    for invariant in invariants:
        table.add_row(
            invariant.name,
            Text("yes", style="green") if invariant.holds else Text("NO", style="bold red"),
            Text(invariant.detail),
        )
    return table


def _table(title: str, columns: str) -> Table:
    """A table titled `title` with the `|`-separated columns."""
    table = Table(title=title)
    for column in columns.split("|"):
        table.add_column(column)
    return table


def platform_outcomes(
    tally: SessionTally, books: Mapping[str, PlatformBooks] | None = None
) -> list[PlatformOutcome]:
    """Each platform's results; `books` are the QUOTA platforms' own counts, by platform id."""
    books = books or {}
    return [
        PlatformOutcome(
            platform_id=platform.display_id,
            mode=platform.mode,
            selling_through=platform.selling_through,
            buyers=platform.buyers,
            holds=platform.holds,
            units_paid=platform.units_paid,
            quota_sold=sum(platform.quota_sold.values()),
            refusals=dict(platform.refusals),
            reported_sold=_by_display_id(tally, books[platform.platform_id].sold)
            if platform.platform_id in books
            else None,
            rejected=books[platform.platform_id].rejected
            if platform.platform_id in books
            else None,
            quota_sold_by_sku=_by_display_id(tally, platform.quota_sold),
        )
        for platform in tally.platforms.values()
    ]


def _books_differ(platform: PlatformOutcome) -> list[str]:
    """Where a QUOTA platform's own count of its sales differs from sync's, SKU by SKU."""
    own, sync = platform.reported_sold or {}, platform.quota_sold_by_sku
    return [
        f"{platform.platform_id} {sku}: platform {own.get(sku, 0)} != sync {sync.get(sku, 0)}"
        for sku in sorted(own.keys() | sync.keys())
        if own.get(sku, 0) != sync.get(sku, 0)
    ]


def _by_display_id(tally: SessionTally, counts: Mapping[str, int]) -> dict[str, int]:
    return {tally.skus[sku_id].display_id: count for sku_id, count in counts.items()}
