"""The live console: per SKU the consumption curve against the forecast, the alert tier and the
stock; the alerts feed; risk blocks; platform quotas and listings; holds expiring and returned;
requests per second. On a terminal it redraws in place (rich.live); elsewhere (CI, a pipe) it
prints a few plain status lines every few seconds so progress is still visible."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Final

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tools.livesale.calls import RequestRate
from tools.livesale.session import Session
from tools.livesale.tally import SkuTally

_SPARKS: Final = "▁▂▃▄▅▆▇█"
_CURVE_POINTS: Final = 40
_TIER_STYLE: Final = {"YELLOW": "yellow", "ORANGE": "dark_orange", "RED": "bold red", "-": "green"}
_PLAIN_EVERY_SECONDS: Final = 5.0


def sparkline(values: Sequence[int]) -> str:
    """One character per value, scaled to the largest."""
    top = max(values, default=0)
    if top <= 0:
        return _SPARKS[0] * len(values)
    return "".join(
        _SPARKS[min(len(_SPARKS) - 1, value * len(_SPARKS) // (top + 1))] for value in values
    )


def consumption_bar(consumed: int, forecast: int, width: int = 24) -> str:
    """Consumed against the forecast on a scale to 150 %, with ticks at 80, 100 and 120 %."""
    scale = 1.5 * forecast
    filled = min(width, round(width * consumed / scale)) if scale else 0
    ticks = {round(width * fraction / 1.5) - 1 for fraction in (0.8, 1.0, 1.2)}
    return "".join(
        "█" if index < filled else ("|" if index in ticks else "·") for index in range(width)
    )


def per_interval(curve: Sequence[tuple[float, int]]) -> list[int]:
    """Units consumed in each sampling interval, from cumulative samples."""
    values = [consumed for _, consumed in curve]
    return [max(0, later - earlier) for earlier, later in itertools.pairwise(values)]


class SessionConsole:
    """Draws the session from its tally."""

    def __init__(self, session: Session, rate: RequestRate, console: Console) -> None:
        self._session = session
        self._rate = rate
        self._console = console
        # One curve point per fortieth of the session, however often the screen is redrawn.
        self._sample_every = session.scenario.timescale.to_real(
            session.scenario.duration / _CURVE_POINTS
        )
        self._next_sample = 0.0

    def sample(self) -> None:
        """Adds a point to every SKU's consumption curve."""
        now = self._session.now()
        for sku in self._session.tally.skus.values():
            sku.curve.append((now, sku.consumed))

    async def run(self) -> None:
        """Samples the curves and redraws until cancelled."""
        if self._console.is_terminal:
            with Live(self.render(), console=self._console, refresh_per_second=4) as live:
                while True:
                    self._sample_when_due()
                    live.update(self.render())
                    await asyncio.sleep(0.25)
        while True:
            self._sample_when_due()
            self._console.print(self.plain_status(), markup=False, highlight=False, soft_wrap=True)
            await asyncio.sleep(_PLAIN_EVERY_SECONDS)

    def _sample_when_due(self) -> None:
        elapsed = self._session.real_elapsed()
        if elapsed >= self._next_sample:
            self.sample()
            self._next_sample = elapsed + self._sample_every

    def plain_status(self) -> str:
        session, tally = self._session, self._session.tally
        lines = [
            f"[{session.clock()} / {_minutes(session.scenario.duration)}] "
            f"{self._rate.per_second()} req/s; holds {tally.holds.created} paid "
            f"{tally.holds.confirmed} expired {tally.holds.expired}; hoarders blocked "
            f"{tally.risk.hoarder_blocked}/{tally.risk.hoarder_attempts}"
        ]
        for sku in tally.skus.values():
            consumed = sku.consumed
            lines.append(
                f"  {sku.display_id:<16} sold {sku.sold:>5} consumed {consumed:>5}/"
                f"{sku.capacity:<5} tier {self._tier(sku):<12} sellable {sku.sellable:>5} "
                f"reserved {sku.reserved:>5} {sku.sale_status}"
            )
        lines += [f"  > {line}" for line in list(tally.feed)[-3:]]
        return "\n".join(lines)

    def render(self) -> RenderableType:
        return Group(self._header(), self._skus(), self._platforms(), self._lower())

    def _tier(self, sku: SkuTally) -> str:
        if self._session.tally.services.get("alerting") == "running":
            return sku.alert_tier
        return f"{sku.local_tier} (local)"

    def _header(self) -> RenderableType:
        session = self._session
        progress = min(1.0, session.now() / session.scenario.duration)
        bar = "█" * round(30 * progress) + "·" * (30 - round(30 * progress))
        services = "  ".join(
            f"{name}: {status}" for name, status in sorted(session.tally.services.items())
        )
        return Text.assemble(
            (f"{session.scenario.name}  ", "bold"),
            f"session {session.clock()} / {_minutes(session.scenario.duration)}  {bar}  ",
            (f"{self._rate.per_second()} req/s", "bold cyan"),
            f"  (real {session.real_elapsed():.0f} s, x{session.scenario.time_factor:g})\n",
            (services, "dim"),
        )

    def _skus(self) -> Table:
        tally = self._session.tally
        table = Table(expand=True)
        for column in (
            "SKU",
            "consumed vs forecast (80|100|120 %)",
            "per interval",
            "tier",
            "sellable",
            "reserved",
            "sold",
            "status",
        ):
            table.add_column(column, no_wrap=True)
        for sku in tally.skus.values():
            consumed = sku.consumed
            expected = sku.forecast_units * min(
                1.0, self._session.now() / self._session.scenario.duration
            )
            pace = f" pace {consumed / expected:.0%}" if expected >= 1 else ""
            tier = self._tier(sku)
            table.add_row(
                sku.display_id,
                f"{consumption_bar(consumed, sku.capacity)} {consumed}/{sku.capacity}{pace}",
                sparkline(per_interval(sku.curve)[-_CURVE_POINTS:]),
                Text(tier, style=_TIER_STYLE.get(tier.split(" ")[0], "")),
                str(sku.sellable),
                str(sku.reserved),
                str(sku.sold),
                sku.sale_status,
            )
        return table

    def _platforms(self) -> Table:
        table = Table(expand=True)
        for column in (
            "platform",
            "mode",
            "buyers",
            "holds",
            "paid",
            "quota (listed) per SKU",
            "refused",
        ):
            table.add_column(column)
        for platform in self._session.tally.platforms.values():
            quotas = " ".join(
                f"{self._session.tally.skus[sku_id].display_id}:{units}({platform.listed_units.get(sku_id, 0)})"
                for sku_id, units in platform.quota_units.items()
            )
            refused = ", ".join(
                f"{reason} {count}" for reason, count in platform.refusals.most_common(3)
            )
            table.add_row(
                platform.display_id,
                f"{platform.mode} via {platform.selling_through}",
                str(platform.buyers),
                str(platform.holds),
                str(platform.units_paid + sum(platform.quota_sold.values())),
                quotas or "-",
                refused or "-",
            )
        return table

    def _lower(self) -> RenderableType:
        tally = self._session.tally
        holds, risk = tally.holds, tally.risk
        counts = Text(
            f"holds taken {holds.created}  paid {holds.confirmed}  released {holds.released}\n"
            f"expiring soon {holds.expiring_soon}  expired {holds.expired} "
            f"({holds.expired_units} units returned)\n"
            f"hoarders: {risk.hoarder_attempts} attempts, {risk.hoarder_blocked} blocked, "
            f"{risk.hoarder_challenged} challenged, {risk.hoarder_refused_otherwise} refused "
            f"otherwise, {risk.hoarder_holds} held\n"
            f"genuine: {risk.genuine_blocked} blocked, {risk.genuine_sold_out} sold out\n"
            f"quota moves {len(tally.quota_moves)}  restocks {tally.restocks_done}"
        )
        feed = Text("\n".join(tally.feed) or "(nothing yet)")
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1)
        grid.add_column(ratio=2)
        grid.add_row(Panel(counts, title="holds and risk"), Panel(feed, title="alerts and events"))
        return grid


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"
