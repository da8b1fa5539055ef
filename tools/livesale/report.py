"""The final report of a session and the invariants it proves: nothing oversold, counters equal to
their ledger, every paid unit counted. A broken invariant makes the exit status non-zero."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from tools.livesale.tally import (
    AlertRecord,
    HoldTally,
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

    @property
    def units_sold(self) -> int:
        return sum(sku.sold for sku in self.skus)

    @property
    def oversold(self) -> int:
        return sum(sku.oversold for sku in self.skus)

    @property
    def quota_units_sold(self) -> int:
        return sum(platform.quota_sold for platform in self.platforms)

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
        counted = self.direct_units_paid + self.quota_units_sold
        return [
            Invariant("nothing oversold (sold <= received)", not over, "; ".join(over) or "0"),
            Invariant(
                "commitments within stock (withheld + reserved <= on_hand)",
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
            Invariant(
                "every paid unit counted once (inventory sold = buyers' payments + quota sales)",
                counted == self.units_sold,
                f"inventory {self.units_sold}, paid {self.direct_units_paid} direct + "
                f"{self.quota_units_sold} through quotas",
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
            alert.summary,
        )
    return table


def _invariant_table(invariants: Sequence[Invariant]) -> Table:
    table = _table("invariants", "invariant|holds|detail")
    for invariant in invariants:
        table.add_row(
            invariant.name,
            Text("yes", style="green") if invariant.holds else Text("NO", style="bold red"),
            invariant.detail,
        )
    return table


def _table(title: str, columns: str) -> Table:
    """A table titled `title` with the `|`-separated columns."""
    table = Table(title=title)
    for column in columns.split("|"):
        table.add_column(column)
    return table


def platform_outcomes(tally: SessionTally) -> list[PlatformOutcome]:
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
        )
        for platform in tally.platforms.values()
    ]
