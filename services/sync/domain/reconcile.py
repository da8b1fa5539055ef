"""Comparing one platform's quota of one SKU with inventory's holds and the platform's own counts,
and the booking that repairs each disagreement."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from services.sync.domain.quota import Quota


class DriftKind(IntEnum):
    SOLD_MISMATCH = 1
    LEDGER_MISMATCH = 2
    ESCROW_MISMATCH = 3
    LISTED_OVER_QUOTA = 4
    ORPHAN_HOLD = 5


class CompensationKind(IntEnum):
    CONFIRM_UNITS = 1
    RETURN_UNITS = 2
    RESIZE_ESCROW = 3
    RELEASE_HOLD = 4
    REPUSH_LISTING = 5
    MANUAL = 6


@dataclass(frozen=True)
class Hold:
    """An escrow hold of the platform and SKU as inventory shows it."""

    reservation_id: str
    quantity: int
    consumed: int
    active: bool


@dataclass(frozen=True)
class PlatformCount:
    sold_units: int
    listed_units: int


@dataclass(frozen=True)
class Drift:
    sku_id: str
    platform_id: str
    kind: DriftKind
    expected_units: int
    observed_units: int
    compensation: CompensationKind
    units: int
    reservation_id: str = ""

    @property
    def difference_units(self) -> int:
        return self.observed_units - self.expected_units


def find_drifts(quota: Quota, holds: list[Hold], count: PlatformCount | None) -> list[Drift]:
    found: list[Drift] = []

    def drift(
        kind: DriftKind, expected: int, observed: int, fix: CompensationKind, rid: str = ""
    ) -> None:
        found.append(
            Drift(
                quota.sku_id,
                quota.platform_id,
                kind,
                expected,
                observed,
                fix,
                abs(observed - expected),
                rid,
            )
        )

    if count is not None and count.sold_units != quota.sold_units:
        # Only the platform's missing reports can fix this; it has to resend them.
        drift(DriftKind.SOLD_MISMATCH, quota.sold_units, count.sold_units, CompensationKind.MANUAL)
    ledger_consumed = sum(h.consumed for h in holds)
    if ledger_consumed != quota.consumed_units:
        fix = (
            CompensationKind.CONFIRM_UNITS
            if ledger_consumed < quota.consumed_units
            else CompensationKind.RETURN_UNITS
        )
        drift(DriftKind.LEDGER_MISMATCH, quota.consumed_units, ledger_consumed, fix)
    for hold in holds:
        if hold.active and hold.reservation_id != quota.reservation_id:
            drift(
                DriftKind.ORPHAN_HOLD,
                0,
                hold.quantity,
                CompensationKind.RELEASE_HOLD,
                hold.reservation_id,
            )
    own = next((h for h in holds if h.reservation_id == quota.reservation_id and h.active), None)
    held = own.quantity if own else 0
    if held != quota.quota_units:
        drift(DriftKind.ESCROW_MISMATCH, quota.quota_units, held, CompensationKind.RESIZE_ESCROW)
    listed = count.listed_units if count is not None else _listed_now(quota)
    if listed > quota.quota_units:
        drift(
            DriftKind.LISTED_OVER_QUOTA, quota.quota_units, listed, CompensationKind.REPUSH_LISTING
        )
    return found


def _listed_now(quota: Quota) -> int:
    """What the platform lists by the contract's formula once it applies the latest version: the
    pushed quantity less the sales applied since (its own unreported sales only lower it)."""
    if quota.acknowledged_version < quota.pushed_version or quota.pushed_version == 0:
        return min(quota.listed_units, quota.quota_units) if quota.shrink_pending else 0
    return max(0, quota.pushed_listed_units - (quota.sold_units - quota.pushed_sold_applied))
