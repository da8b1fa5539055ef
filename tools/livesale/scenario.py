"""A live-session scenario read from YAML and validated; every error names the field.

All durations and rates are in session time (see timescale.py). Field reference: the three files
in scenarios/ use every field, with comments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml

from tools.livesale.timescale import TimeScale, parse_duration

LOCK_STAGES: Final = ("CART", "ORDER", "PAYMENT")
SALE_MODES: Final = ("REGULAR", "FLASH_SALE", "PRESALE")
RISK_MODES: Final = ("OFF", "SHADOW", "ENFORCE")
RISK_FAIL_MODES: Final = ("OPEN", "CLOSED")
PLATFORM_MODES: Final = ("SHARED", "QUOTA")
WITHHOLD_KINDS: Final = ("safety", "vip", "gift")

T = TypeVar("T")


class ScenarioError(ValueError):
    """The scenario file is wrong; `field` is the path of the offending field (`skus[0].on_hand`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Policy:
    """The sale policy of a SKU, in session time."""

    lock_stage: str
    sale_mode: str
    hold_ttl: float
    per_user_limit: int
    max_per_order: int
    refresh_ttl_on_restock: bool
    expiring_soon_lead: float
    risk_mode: str
    risk_fail_mode: str
    balance_due_after: float


@dataclass(frozen=True)
class SkuPlan:
    """A SKU of the session: stock, withheld units, forecast and how much buyers want it."""

    sku_id: str
    title: str
    on_hand: int
    withheld: Mapping[str, int]
    forecast_units: int
    restock_lead_time: float
    demand_weight: float
    policy: Policy


@dataclass(frozen=True)
class PlatformPlan:
    """A platform selling in the session: SHARED calls inventory, QUOTA sells from a quota."""

    platform_id: str
    mode: str
    buyers_per_minute: float
    quota_weight: float


@dataclass(frozen=True)
class BuyerBehaviour:
    """How genuine buyers behave once they hold a unit."""

    pay_probability: float
    abandon_probability: float
    think_time_min: float
    think_time_max: float
    pay_delay_min: float
    pay_delay_max: float
    max_quantity: int


@dataclass(frozen=True)
class HoarderPlan:
    """Bots: many accounts on few devices and IPs that hold the limit and never pay."""

    accounts: int
    devices: int
    ips: int
    holds_per_minute: float
    start: float
    stop: float
    platform_id: str


@dataclass(frozen=True)
class Restock:
    """Units delivered during the session."""

    at: float
    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Burst:
    """The host holds a product up: many buyers on one platform tap "buy" at the same moment."""

    at: float
    sku_id: str
    buyers: int
    platform_id: str


@dataclass(frozen=True)
class Scenario:
    """A whole live session."""

    name: str
    description: str
    tenant_id: str
    duration: float
    time_factor: float
    seed: int
    max_in_flight: int
    skus: tuple[SkuPlan, ...]
    platforms: tuple[PlatformPlan, ...]
    buyers: BuyerBehaviour
    hoarders: HoarderPlan | None
    restocks: tuple[Restock, ...] = field(default=())
    bursts: tuple[Burst, ...] = field(default=())

    @property
    def timescale(self) -> TimeScale:
        return TimeScale(self.time_factor)

    def sku(self, sku_id: str) -> SkuPlan:
        return next(sku for sku in self.skus if sku.sku_id == sku_id)


def load_scenario(path: Path) -> Scenario:
    """Reads and validates a scenario file."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ScenarioError("file", f"cannot read {path}: {error.strerror}") from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError("file", f"{path} is not valid YAML: {error}") from error
    return parse_scenario(document)


def parse_scenario(document: object) -> Scenario:
    """Validates a parsed YAML document into a Scenario."""
    root = _Fields(document, "")
    skus = tuple(_sku(item) for item in root.items("skus", required=True))
    _unique([sku.sku_id for sku in skus], "skus", "id")
    platforms = tuple(_platform(item) for item in root.items("platforms", required=True))
    _unique([platform.platform_id for platform in platforms], "platforms", "id")
    duration = root.duration("duration", minimum=1.0)
    hoarders = _hoarders(root.child("hoarders"), duration) if "hoarders" in root else None
    if hoarders is not None and hoarders.platform_id not in {p.platform_id for p in platforms}:
        raise ScenarioError("hoarders.platform", f"{hoarders.platform_id!r} is not a platform")
    restocks = tuple(_restock(item, duration) for item in root.items("restocks"))
    known = {sku.sku_id for sku in skus}
    for index, restock in enumerate(restocks):
        if restock.sku_id not in known:
            raise ScenarioError(f"restocks[{index}].sku", f"{restock.sku_id!r} is not a SKU")
    bursts = tuple(_burst(item, duration) for item in root.items("bursts"))
    for index, burst in enumerate(bursts):
        if burst.sku_id not in known:
            raise ScenarioError(f"bursts[{index}].sku", f"{burst.sku_id!r} is not a SKU")
        if burst.platform_id not in {p.platform_id for p in platforms}:
            raise ScenarioError(
                f"bursts[{index}].platform", f"{burst.platform_id!r} is not a platform"
            )
    scenario = Scenario(
        name=root.text("name"),
        description=root.text("description", default=""),
        tenant_id=root.text("tenant", default="demo"),
        duration=duration,
        time_factor=root.number("time_factor", minimum=1.0, maximum=10_000.0),
        seed=root.integer("seed", default=1),
        max_in_flight=root.integer("max_in_flight", default=64, minimum=1, maximum=2000),
        skus=skus,
        platforms=platforms,
        buyers=_buyers(root.child("buyers")),
        hoarders=hoarders,
        restocks=restocks,
        bursts=bursts,
    )
    root.reject_unknown()
    return scenario


def _sku(item: _Fields) -> SkuPlan:
    withheld_fields = item.child("withheld") if "withheld" in item else None
    withheld: dict[str, int] = {}
    if withheld_fields is not None:
        for kind in withheld_fields.keys():
            if kind not in WITHHOLD_KINDS:
                raise ScenarioError(
                    withheld_fields.path(kind), f"unknown kind; one of {', '.join(WITHHOLD_KINDS)}"
                )
            withheld[kind] = withheld_fields.integer(kind, minimum=0)
    on_hand = item.integer("on_hand", minimum=0)
    if sum(withheld.values()) > on_hand:
        raise ScenarioError(item.path("withheld"), f"withholds more than on_hand ({on_hand})")
    sku = SkuPlan(
        sku_id=item.identifier("id"),
        title=item.text("title", default=""),
        on_hand=on_hand,
        withheld=withheld,
        forecast_units=item.integer("forecast_units", minimum=1),
        restock_lead_time=item.duration("restock_lead_time", default="30m"),
        demand_weight=item.number("demand_weight", default=1.0, minimum=0.0),
        policy=_policy(item.child("policy")),
    )
    item.reject_unknown()
    return sku


def _policy(item: _Fields) -> Policy:
    sale_mode = item.choice("sale_mode", SALE_MODES)
    default_ttl = {"FLASH_SALE": "20m", "REGULAR": "120m", "PRESALE": "0s"}[sale_mode]
    policy = Policy(
        lock_stage=item.choice("lock_stage", LOCK_STAGES),
        sale_mode=sale_mode,
        hold_ttl=item.duration("hold_ttl", default=default_ttl),
        per_user_limit=item.integer("per_user_limit", default=0, minimum=0),
        max_per_order=item.integer("max_per_order", default=0, minimum=0),
        refresh_ttl_on_restock=item.boolean("refresh_ttl_on_restock", default=False),
        expiring_soon_lead=item.duration("expiring_soon_lead", default="5m"),
        risk_mode=item.choice("risk_mode", RISK_MODES, default="OFF"),
        risk_fail_mode=item.choice("risk_fail_mode", RISK_FAIL_MODES, default="OPEN"),
        balance_due_after=item.duration("balance_due_after", default="0s"),
    )
    if policy.sale_mode == "PRESALE" and policy.balance_due_after <= 0:
        raise ScenarioError(item.path("balance_due_after"), "a presale needs a balance due time")
    if policy.sale_mode != "PRESALE" and policy.hold_ttl <= 0:
        raise ScenarioError(item.path("hold_ttl"), "must be positive")
    item.reject_unknown()
    return policy


def _platform(item: _Fields) -> PlatformPlan:
    platform = PlatformPlan(
        platform_id=item.identifier("id"),
        mode=item.choice("mode", PLATFORM_MODES),
        buyers_per_minute=item.number("buyers_per_minute", minimum=0.0),
        quota_weight=item.number("quota_weight", default=1.0, minimum=0.0),
    )
    item.reject_unknown()
    return platform


def _buyers(item: _Fields) -> BuyerBehaviour:
    buyers = BuyerBehaviour(
        pay_probability=item.number("pay_probability", minimum=0.0, maximum=1.0),
        abandon_probability=item.number("abandon_probability", minimum=0.0, maximum=1.0),
        think_time_min=item.duration("think_time_min", default="10s"),
        think_time_max=item.duration("think_time_max", default="2m"),
        pay_delay_min=item.duration("pay_delay_min", default="30s"),
        pay_delay_max=item.duration("pay_delay_max", default="10m"),
        max_quantity=item.integer("max_quantity", default=1, minimum=1),
    )
    if buyers.pay_probability + buyers.abandon_probability > 1.0:
        raise ScenarioError(
            item.path("abandon_probability"), "pay_probability + abandon_probability exceeds 1"
        )
    if buyers.think_time_min > buyers.think_time_max:
        raise ScenarioError(item.path("think_time_min"), "is greater than think_time_max")
    if buyers.pay_delay_min > buyers.pay_delay_max:
        raise ScenarioError(item.path("pay_delay_min"), "is greater than pay_delay_max")
    item.reject_unknown()
    return buyers


def _hoarders(item: _Fields, duration: float) -> HoarderPlan:
    hoarders = HoarderPlan(
        accounts=item.integer("accounts", minimum=1),
        devices=item.integer("devices", minimum=1),
        ips=item.integer("ips", minimum=1),
        holds_per_minute=item.number("holds_per_minute", minimum=0.0),
        start=item.duration("start", default="0s"),
        stop=item.duration("stop", default=f"{duration}s"),
        platform_id=item.text("platform"),
    )
    if hoarders.start >= hoarders.stop:
        raise ScenarioError(item.path("start"), "is not before stop")
    item.reject_unknown()
    return hoarders


def _restock(item: _Fields, duration: float) -> Restock:
    at = item.moment("at", duration)
    restock = Restock(at, item.text("sku"), item.integer("quantity", minimum=1))
    item.reject_unknown()
    return restock


def _burst(item: _Fields, duration: float) -> Burst:
    at = item.moment("at", duration)
    buyers = item.integer("buyers", minimum=1, maximum=100_000)
    burst = Burst(at, item.text("sku"), buyers, item.text("platform"))
    item.reject_unknown()
    return burst


def _unique(values: list[str], path: str, key: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ScenarioError(f"{path}[{index}].{key}", f"{value!r} appears twice")
        seen.add(value)


_MISSING: Final = object()


class _Fields:
    """One mapping of the document, read field by field; remembers which fields were read so
    that a misspelt field is reported instead of silently ignored."""

    def __init__(self, value: object, prefix: str) -> None:
        if not isinstance(value, Mapping):
            raise ScenarioError(prefix or "file", "must be a mapping of fields")
        self._value: Mapping[str, Any] = value
        self._prefix = prefix
        self._read: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self._value

    def keys(self) -> list[str]:
        self._read.update(self._value)
        return [str(key) for key in self._value]

    def path(self, name: str) -> str:
        return f"{self._prefix}.{name}" if self._prefix else name

    def child(self, name: str) -> _Fields:
        return _Fields(self._raw(name, _MISSING), self.path(name))

    def items(self, name: str, *, required: bool = False) -> list[_Fields]:
        raw = self._raw(name, _MISSING if required else [])
        if not isinstance(raw, list) or (required and not raw):
            raise ScenarioError(self.path(name), "must be a non-empty list")
        return [_Fields(item, f"{self.path(name)}[{index}]") for index, item in enumerate(raw)]

    def text(self, name: str, *, default: object = _MISSING) -> str:
        raw = self._raw(name, default)
        if not isinstance(raw, str):
            raise ScenarioError(self.path(name), "must be text")
        return raw

    def identifier(self, name: str) -> str:
        raw = self.text(name)
        if not raw or len(raw) > 64 or not all(c.isalnum() or c in "._-" for c in raw):
            raise ScenarioError(self.path(name), "must be 1-64 letters, digits, '.', '_' or '-'")
        return raw

    def choice(self, name: str, choices: tuple[str, ...], *, default: object = _MISSING) -> str:
        raw = self.text(name, default=default)
        if raw not in choices:
            raise ScenarioError(self.path(name), f"{raw!r} is not one of {', '.join(choices)}")
        return raw

    def boolean(self, name: str, *, default: object = _MISSING) -> bool:
        raw = self._raw(name, default)
        if not isinstance(raw, bool):
            raise ScenarioError(self.path(name), "must be true or false")
        return raw

    def integer(
        self, name: str, *, default: object = _MISSING, minimum: int = 0, maximum: int = 10**9
    ) -> int:
        raw = self._raw(name, default)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ScenarioError(self.path(name), "must be a whole number")
        return self._bounded(name, raw, minimum, maximum)

    def number(
        self,
        name: str,
        *,
        default: object = _MISSING,
        minimum: float = 0.0,
        maximum: float = 1e9,
    ) -> float:
        raw = self._raw(name, default)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ScenarioError(self.path(name), "must be a number")
        return self._bounded(name, float(raw), minimum, maximum)

    def duration(self, name: str, *, default: object = _MISSING, minimum: float = 0.0) -> float:
        raw = self._raw(name, default)
        seconds = _converted(self.path(name), raw, parse_duration)
        return self._bounded(name, seconds, minimum, float("inf"))

    def moment(self, name: str, duration: float) -> float:
        """A session time within the session."""
        at = self.duration(name)
        if at >= duration:
            raise ScenarioError(self.path(name), "is after the end of the session")
        return at

    def reject_unknown(self) -> None:
        unknown = sorted(str(key) for key in self._value if key not in self._read)
        if unknown:
            raise ScenarioError(self.path(unknown[0]), "is not a known field")

    def _bounded(self, name: str, value: T, minimum: Any, maximum: Any) -> T:
        if not minimum <= value <= maximum:
            raise ScenarioError(self.path(name), f"{value} is outside {minimum}..{maximum}")
        return value

    def _raw(self, name: str, default: object) -> Any:
        self._read.add(name)
        if name in self._value:
            return self._value[name]
        if default is _MISSING:
            raise ScenarioError(self.path(name), "is required")
        return default


def _converted(path: str, raw: object, convert: Callable[[Any], float]) -> float:
    try:
        return convert(raw)
    except (TypeError, ValueError) as error:
        raise ScenarioError(path, str(error)) from error
