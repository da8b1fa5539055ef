"""What the session has seen so far: the one record the actors write and the console and report
read. Plain data, no I/O."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Final

TIERS: Final = ((1.2, "RED"), (1.0, "ORANGE"), (0.8, "YELLOW"))

NOT_AVAILABLE: Final = "not available"


def tier_of(consumed: int, forecast: int) -> str:
    """The seed's tiers: YELLOW at 80 % of the forecast consumed, ORANGE at 100 %, RED at 120 %."""
    for fraction, name in TIERS:
        if consumed >= fraction * forecast:
            return name
    return "-"


@dataclass
class SkuTally:
    """One SKU as the session sees it (stock from the inventory event stream)."""

    sku_id: str
    display_id: str
    forecast_units: int
    on_hand: int = 0
    withheld: int = 0
    reserved: int = 0
    sold: int = 0
    sellable: int = 0
    received: int = 0  # initial on_hand plus every restock: what may ever be sold
    restocked: int = 0  # units delivered during the session
    paid: int = 0  # units this run's buyers were told they paid for (confirm or purchase)
    quota_escrow: int = 0  # units held by sync as platform quotas and not sold yet
    sale_status: str = "ON_SALE"
    firing: set[str] = field(default_factory=set)  # alerting's tiers firing now
    # (session seconds, sold) samples for the consumption curve.
    curve: list[tuple[float, int]] = field(default_factory=list)
    # The tiers consumption has reached, by the seed's fixed lines (alerting adjusts to pace).
    crossed: set[str] = field(default_factory=set)

    @property
    def consumed(self) -> int:
        """Units held or sold by buyers, as alerting counts consumption: the platform quotas sync
        holds in escrow are reserved in inventory but nobody has bought them yet."""
        return max(0, self.sold + self.reserved - self.quota_escrow)

    @property
    def capacity(self) -> int:
        """What the tier lines measure against: the forecast plus restocks during the session."""
        return self.forecast_units + self.restocked

    @property
    def alert_tier(self) -> str:
        """The highest tier alerting has firing for the SKU."""
        return next((tier for _, tier in TIERS if tier in self.firing), "-")

    @property
    def local_tier(self) -> str:
        return tier_of(self.consumed, self.capacity)


@dataclass
class PlatformTally:
    """One platform's traffic."""

    platform_id: str
    display_id: str
    mode: str
    selling_through: str  # "inventory", "sync quota" or "inventory (sync not available)"
    buyers: int = 0
    holds: int = 0
    units_paid: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    quota_units: dict[str, int] = field(default_factory=dict)  # unsold escrow per SKU, from sync
    quota_sold: dict[str, int] = field(default_factory=dict)  # sold from the quota per SKU
    listed_units: dict[str, int] = field(default_factory=dict)  # per SKU, from sync


@dataclass
class HoldTally:
    """Buyer holds by outcome, as inventory's events report them."""

    created: int = 0
    confirmed: int = 0
    released: int = 0
    expired: int = 0
    expired_units: int = 0
    expiring_soon: int = 0


@dataclass
class RiskTally:
    """Hoarders against genuine buyers."""

    hoarder_attempts: int = 0
    hoarder_holds: int = 0
    hoarder_units_held: int = 0
    hoarder_blocked: int = 0
    hoarder_challenged: int = 0
    genuine_attempts: int = 0
    genuine_blocked: int = 0
    genuine_challenged: int = 0
    genuine_sold_out: int = 0  # genuine buyers turned away by INSUFFICIENT_STOCK

    @property
    def hoarder_refused_otherwise(self) -> int:
        """Bot holds refused for another reason: purchase limit, sold out, sale paused."""
        return (
            self.hoarder_attempts
            - self.hoarder_blocked
            - self.hoarder_challenged
            - self.hoarder_holds
        )


@dataclass(frozen=True)
class AlertRecord:
    """An alert seen on alerting's stream, with its latency after the local tier crossing."""

    session_time: float
    sku_id: str
    tier: str
    state: str
    summary: str
    # Seconds from the stock change alerting acted on (its observe_time) to the alert reaching
    # this console's stream.
    latency_seconds: float | None


@dataclass(frozen=True)
class QuotaMove:
    """A change of what one platform was allotted of one SKU (its unsold quota plus what it sold
    from it), as sync reported it: the rebalancer moved units to or from it."""

    session_time: float
    sku_id: str
    platform_id: str
    before: int
    after: int


@dataclass(frozen=True)
class PlatformBooks:
    """A simulated QUOTA platform's own counts (tools/platform_sim), to hold against sync's."""

    sold: dict[str, int]  # units sold per SKU id, net of cancellations and of what sync rejected
    rejected: int  # units of sale lines sync rejected (the platform cancelled those orders)


@dataclass(frozen=True)
class UnsettledPayment:
    """A payment sent whose answer never came (the caller gave up, or the session closed while it
    waited): it may have committed, so the report looks it up before counting what was paid."""

    order_id: str  # each payment's own order: it names the one hold paid for
    sku_id: str
    platform_id: str
    quantity: int


@dataclass
class SessionTally:
    """Everything the console shows and the report sums up."""

    skus: dict[str, SkuTally]
    platforms: dict[str, PlatformTally]
    holds: HoldTally = field(default_factory=HoldTally)
    risk: RiskTally = field(default_factory=RiskTally)
    alerts: list[AlertRecord] = field(default_factory=list)
    quota_moves: list[QuotaMove] = field(default_factory=list)
    feed: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    services: dict[str, str] = field(default_factory=dict)  # name -> "running" / "not available"
    restocks_done: int = 0
    session_time: float = 0.0
    direct_units_paid: int = 0  # units confirmed or purchased by this run's own buyers
    # Payments whose answer never came, by order id, until the report looks them up.
    unsettled: dict[str, UnsettledPayment] = field(default_factory=dict)
    payments_found_after_all: int = 0  # of those, found CONFIRMED when looked up
    last_sequence: int = 0

    def note(self, clock: str, line: str) -> None:
        self.feed.append(f"{clock} {line}")

    def paid(self, platform_id: str, sku_id: str, quantity: int) -> None:
        """Counts units a buyer paid for, on their SKU and platform."""
        self.skus[sku_id].paid += quantity
        self.platforms[platform_id].units_paid += quantity
        self.direct_units_paid += quantity
