"""The rebalancer's decision for one SKU: targets from smoothed velocities (weights before any
sales), clamped and damped, and which moves may happen now. Shrinks go first; grows wait until
no shrink of the SKU awaits a platform's acknowledgement, so the quotas never need more stock than
exists and a platform never lists units another platform may also sell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from services.sync.domain.allocation import Claim, allocate, damp
from services.sync.domain.policy import AllocationPolicy


class Outcome(IntEnum):
    APPLIED = 1
    WITHIN_HYSTERESIS = 2
    AWAITING_ACK = 3
    PLANNED = 4


@dataclass(frozen=True)
class QuotaView:
    """One platform's quota of the SKU as the rebalancer needs it."""

    platform_id: str
    quota_units: int
    velocity_per_minute: float
    awaiting_ack: bool = False
    eligible: bool = True
    pushed_listed_units: int = 0  # the listing of the pending shrink, when awaiting_ack  # False for a disabled platform or one the policy no longer names


@dataclass(frozen=True)
class SkuView:
    sku_id: str
    policy: AllocationPolicy
    unallocated_units: int  # sellable units outside every quota
    quotas: Sequence[QuotaView]


@dataclass(frozen=True)
class SkuPlan:
    sku_id: str
    outcome: Outcome
    currents: dict[str, int]
    targets: dict[str, int]
    velocities: dict[str, float]
    shrinks: dict[str, int]  # platform -> new quota, to push now
    grows: dict[str, int]  # platform -> new quota, once every shrink is acknowledged

    @property
    def differs(self) -> bool:
        return any(self.targets[p] != self.currents.get(p, 0) for p in self.targets)


def claims_of(view: SkuView) -> list[Claim]:
    """Velocity decides once any eligible platform sells; before that, the policy's weights."""
    by_platform = {q.platform_id: q for q in view.quotas}
    shares = [s for s in view.policy.shares if by_platform.get(s.platform_id, _IDLE).eligible]
    total_velocity = sum(by_platform.get(s.platform_id, _IDLE).velocity_per_minute for s in shares)
    claims = []
    for share in shares:
        velocity = by_platform.get(share.platform_id, _IDLE).velocity_per_minute
        demand = velocity if total_velocity > 0 else share.weight
        claims.append(Claim(share.platform_id, demand, share.min_units, share.max_units))
    return claims


_IDLE = QuotaView("", 0, 0.0)


def plan(view: SkuView) -> SkuPlan:
    currents = {q.platform_id: q.quota_units for q in view.quotas}
    velocities = {q.platform_id: q.velocity_per_minute for q in view.quotas}
    policy = view.policy
    pool = view.unallocated_units + sum(currents.values()) - policy.pool_reserve_units
    raw = allocate(max(0, pool), claims_of(view)) if policy.enabled else {}
    wanted = {p: raw.get(p, 0) for p in {*currents, *raw}}
    grow_budget = max(0, view.unallocated_units - policy.pool_reserve_units)
    targets = damp(currents, wanted, grow_budget, policy.hysteresis)
    for platform_id in targets:
        velocities.setdefault(platform_id, 0.0)
    shrinks = {p: t for p, t in targets.items() if t < currents.get(p, 0)}
    grows = {p: t for p, t in targets.items() if t > currents.get(p, 0)}
    pending = {q.platform_id: q.pushed_listed_units for q in view.quotas if q.awaiting_ack}
    # While a shrink waits for its acknowledgement nothing grows; a deeper shrink (a platform that
    # went down, say) may still be pushed over the pending one.
    shrinks = {p: t for p, t in shrinks.items() if t < pending.get(p, currents.get(p, 0))}
    if pending:
        grows = {}
    outcome = Outcome.APPLIED
    if not shrinks and pending:
        outcome = Outcome.AWAITING_ACK
    elif not shrinks and not grows:
        outcome = Outcome.WITHIN_HYSTERESIS
    return SkuPlan(view.sku_id, outcome, currents, targets, velocities, shrinks, grows)


def as_dry_run(result: SkuPlan) -> SkuPlan:
    """The same targets with nothing to move."""
    if result.outcome is not Outcome.APPLIED:
        return result
    return SkuPlan(
        result.sku_id, Outcome.PLANNED, result.currents, result.targets, result.velocities, {}, {}
    )
