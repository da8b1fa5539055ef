"""Splitting a SKU's pool into per-platform quotas: minimums first, then the rest by demand with
largest-remainder rounding, never above a platform's maximum. Ties go to the platform id that
sorts first, so equal inputs always give equal outputs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple


class Claim(NamedTuple):
    """One platform's claim on a pool: its demand (velocity or weight), minimum and maximum.
    A named tuple: a rebalance pass builds tens of thousands of them."""

    platform_id: str
    demand: float
    min_units: int = 0
    max_units: int = 0  # 0 means no maximum

    def cap(self, pool: int) -> int:
        return pool if self.max_units <= 0 else min(self.max_units, pool)


def largest_remainder(total: int, demands: Sequence[tuple[str, float]]) -> dict[str, int]:
    """Splits `total` units in proportion to positive demands; sums to `total` when any is positive."""
    positive = [(platform_id, d) for platform_id, d in demands if d > 0]
    shares = {platform_id: 0 for platform_id, _ in demands}
    weight = math.fsum(d for _, d in positive)
    if total <= 0 or weight <= 0:
        return shares
    remainders: list[tuple[float, str]] = []
    for platform_id, d in positive:
        ideal = total * d / weight
        shares[platform_id] = int(ideal)
        remainders.append((ideal - int(ideal), platform_id))
    leftover = total - sum(shares.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for index in range(leftover):
        shares[remainders[index % len(remainders)][1]] += 1
    return shares


def allocate(pool: int, claims: Sequence[Claim]) -> dict[str, int]:
    """Targets per platform: the sum equals the pool unless every claim is capped or has no demand
    (then the rest stays unallocated); each target lies within [min, max] whenever the pool covers
    the minimums, and a pool short of the minimums is split in proportion to them."""
    if pool <= 0 or not claims:
        return {claim.platform_id: 0 for claim in claims}
    caps = {c.platform_id: c.cap(pool) for c in claims}
    targets = {c.platform_id: min(c.min_units, caps[c.platform_id]) for c in claims}
    floors = sum(targets.values())
    if floors >= pool:
        return largest_remainder(pool, sorted(targets.items()))
    remaining = pool - floors
    open_claims = sorted(
        (c for c in claims if c.demand > 0 and targets[c.platform_id] < caps[c.platform_id]),
        key=lambda c: c.platform_id,
    )
    while open_claims and remaining > 0:
        weight = math.fsum(c.demand for c in open_claims)
        capped = {
            c.platform_id
            for c in open_claims
            if targets[c.platform_id] + remaining * c.demand / weight >= caps[c.platform_id]
        }
        if not capped:
            extra = largest_remainder(remaining, [(c.platform_id, c.demand) for c in open_claims])
            for platform_id, units in extra.items():
                targets[platform_id] += units
            return targets
        for platform_id in capped:
            remaining -= caps[platform_id] - targets[platform_id]
            targets[platform_id] = caps[platform_id]
        open_claims = [c for c in open_claims if c.platform_id not in capped]
    return targets


@dataclass(frozen=True)
class Hysteresis:
    """A quota moves only when the change is at least `units` and at least `fraction` of it."""

    units: int = 1
    fraction: float = 0.1

    def moves(self, current: int, target: int) -> bool:
        change = abs(target - current)
        return change > 0 and change >= self.units and change >= self.fraction * current


def damp(
    currents: dict[str, int], targets: dict[str, int], grow_budget: int, hysteresis: Hysteresis
) -> dict[str, int]:
    """Keeps quotas whose change is within the hysteresis, and grants grows only out of the units
    that are free (`grow_budget`), largest grow first, so the result never needs more stock than
    exists even when some platforms keep their quota."""
    result: dict[str, int] = {}
    budget = grow_budget
    grows: list[tuple[int, str]] = []
    for platform_id in sorted(currents.keys() | targets.keys()):
        current = currents.get(platform_id, 0)
        target = targets.get(platform_id, 0)
        if not hysteresis.moves(current, target):
            result[platform_id] = current
        elif target < current:
            result[platform_id] = target
            budget += current - target
        else:
            result[platform_id] = current
            grows.append((target - current, platform_id))
    grows.sort(key=lambda item: (-item[0], item[1]))
    for wanted, platform_id in grows:
        granted = min(wanted, budget)
        result[platform_id] += granted
        budget -= granted
    return result
