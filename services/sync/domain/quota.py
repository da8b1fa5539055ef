"""One platform's quota of one SKU: the escrow it holds, what it lists and what it sold.

The platform lists `listed - (its own sold - sold_applied)` of a pushed version, so sales sync has
not heard of are never listed twice. A shrink is pushed first and the escrow shrinks only once the
platform acknowledges it (or its acknowledgement timed out); a grow takes the escrow first and is
pushed after, so a platform never lists more than its quota.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from services.sync.domain.velocity import Velocity


class PushStatus(IntEnum):
    IN_SYNC = 1
    PUSHING = 2
    AWAITING_ACK = 3
    FAILING = 4
    ACK_TIMED_OUT = 5


@dataclass(frozen=True)
class Listing:
    """One pushed version of a listing."""

    version: int
    listed_units: int
    sold_units_applied: int


@dataclass(frozen=True)
class Quota:
    tenant_id: str
    sku_id: str
    platform_id: str
    quota_units: int = 0
    listed_units: int = 0
    pushed_listed_units: int = 0
    pushed_sold_applied: int = 0
    sold_units: int = 0
    consumed_units: int = 0
    returned_units: int = 0
    pushed_version: int = 0
    acknowledged_version: int = 0
    platform_sold_units: int | None = None
    target_units: int = 0
    velocity: Velocity = field(default_factory=Velocity)
    reservation_id: str = ""
    escrow_seq: int = 0
    push_status: PushStatus = PushStatus.IN_SYNC
    shrink_pending: bool = False
    needs_push: bool = False
    last_push_time: float | None = None
    last_ack_time: float | None = None

    @property
    def awaiting_ack(self) -> bool:
        return self.shrink_pending

    def sold(self, units: int, now: float, half_life: float) -> Quota:
        """Units sold from the escrow (the caller consumed them in inventory)."""
        return replace(
            self,
            quota_units=self.quota_units - units,
            sold_units=self.sold_units + units,
            consumed_units=self.consumed_units + units,
            velocity=self.velocity.with_sale(units, now, half_life),
        )

    def returned(self, units: int) -> Quota:
        """Units returned to the pool; the platform's own net count goes down as well, so its
        listing would grow by them: the listing is pushed again at once."""
        return replace(
            self,
            sold_units=self.sold_units - units,
            returned_units=self.returned_units + units,
            needs_push=True,
        )

    def unsold_consumption_returned(self, units: int) -> Quota:
        """Units inventory consumed from the escrow with no sale sync counted, given back to the
        pool by reconciliation: counted as consumed (the ledger shows them so) and returned, the
        platform's net sold unchanged, so the next reconciliation finds no drift to book again."""
        return replace(
            self,
            consumed_units=self.consumed_units + units,
            returned_units=self.returned_units + units,
        )

    def escrow(self, units: int, reservation_id: str) -> Quota:
        return replace(
            self, quota_units=units, reservation_id=reservation_id, escrow_seq=self.escrow_seq + 1
        )

    def next_listing(self, listed_units: int, now: float) -> tuple[Quota, Listing]:
        """A new version listing `listed_units`; a shrink waits for its acknowledgement."""
        listing = Listing(self.pushed_version + 1, listed_units, self.sold_units)
        shrinking = listed_units < self.quota_units
        quota = replace(
            self,
            pushed_version=listing.version,
            pushed_listed_units=listed_units,
            pushed_sold_applied=self.sold_units,
            push_status=PushStatus.PUSHING,
            shrink_pending=shrinking,
            needs_push=False,
            # A deeper shrink over a pending one keeps the pending one's clock for the ack timeout.
            last_push_time=self.last_push_time if self.shrink_pending and shrinking else now,
        )
        return quota, listing

    def current_listing(self) -> Listing:
        return Listing(self.pushed_version, self.pushed_listed_units, self.pushed_sold_applied)

    def escrow_after_shrink(self) -> int:
        """The escrow an acknowledged shrink leaves, never more than the quota already is: what
        the platform still lists plus what it sold and has not reported yet. By the pushed
        version that is the listing less the sales applied since; when the platform's answer
        carried its own sold count, what it lists plus its unreported sales may be more (a shrink
        below its unreported sales), and the larger of the two is kept."""
        unsold = self.pushed_listed_units - (self.sold_units - self.pushed_sold_applied)
        if self.platform_sold_units is not None:
            unreported = max(0, self.platform_sold_units - self.sold_units)
            listed = self.listed_units if self.acknowledged_version == self.pushed_version else 0
            unsold = max(unsold, listed + unreported)
        return max(0, min(self.quota_units, unsold))

    def acknowledged(
        self, version: int, listed_units: int, platform_sold: int | None, now: float
    ) -> Quota:
        if version < self.acknowledged_version:
            return self
        in_sync = version >= self.pushed_version
        return replace(
            self,
            acknowledged_version=version,
            listed_units=listed_units,
            platform_sold_units=platform_sold
            if platform_sold is not None
            else self.platform_sold_units,
            push_status=PushStatus.IN_SYNC if in_sync else self.push_status,
            last_ack_time=now,
        )

    def shrink_settled(self, status: PushStatus) -> Quota:
        return replace(self, shrink_pending=False, push_status=status)

    def shrink_timed_out(self, now: float, ack_timeout: float) -> bool:
        started = self.last_push_time if self.last_push_time is not None else now
        return self.shrink_pending and now - started >= ack_timeout

    def with_status(self, status: PushStatus) -> Quota:
        return replace(self, push_status=status)
