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


@dataclass(slots=True)
class SkuPlan:
    """Not frozen: a pass builds one per SKU, and a frozen init costs a tenth of the pass."""

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
    shares = []
    total_velocity = 0.0
    for share in view.policy.shares:
        quota = by_platform.get(share.platform_id)
        velocity = quota.velocity_per_minute if quota is not None else 0.0
        if quota is None or quota.eligible:
            shares.append((share, velocity))
            total_velocity += velocity
    use_velocity = total_velocity > 0
    return [
        Claim(
            share.platform_id,
            velocity if use_velocity else share.weight,
            share.min_units,
            share.max_units,
        )
        for share, velocity in shares
    ]


def plan(view: SkuView) -> SkuPlan:
    currents: dict[str, int] = {}
    velocities: dict[str, float] = {}
    pending: dict[str, int] = {}
    for quota in view.quotas:
        currents[quota.platform_id] = quota.quota_units
        velocities[quota.platform_id] = quota.velocity_per_minute
        if quota.awaiting_ack:
            pending[quota.platform_id] = quota.pushed_listed_units
    policy = view.policy
    unallocated = view.unallocated_units
    pool = unallocated + sum(currents.values()) - policy.pool_reserve_units
    wanted = allocate(max(0, pool), claims_of(view)) if policy.enabled else {}
    grow_budget = max(0, unallocated - policy.pool_reserve_units)
    targets = damp(currents, wanted, grow_budget, policy.hysteresis)
    shrinks: dict[str, int] = {}
    grows: dict[str, int] = {}
    for platform_id, target in targets.items():
        current = currents.get(platform_id, 0)
        velocities.setdefault(platform_id, 0.0)
        # While a shrink waits for its acknowledgement nothing grows; a deeper shrink (a platform
        # that went down, say) may still be pushed over the pending one.
        if target < pending.get(platform_id, current):
            shrinks[platform_id] = target
        elif target > current and not pending:
            grows[platform_id] = target
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
