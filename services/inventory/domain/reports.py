"""What the maintenance calls answer: kept as the answer to their request id, like a hold."""

from __future__ import annotations

from dataclasses import dataclass

from services.inventory.domain.stock import StockLevels


@dataclass(frozen=True)
class Drift:
    """A SKU whose counters disagree with its ledger or its live holds."""

    sku_id: str
    recorded: StockLevels
    recomputed: StockLevels
    repaired: bool


@dataclass(frozen=True)
class Reconciliation:
    checked: int
    drifts: tuple[Drift, ...]


@dataclass(frozen=True)
class SweepReport:
    """Holds one SweepExpired call expired."""

    expired: int
