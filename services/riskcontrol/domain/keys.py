"""Risk keys: the attributes of an attempt a counter, rule or list entry is keyed on.

IP addresses and device ids never appear in clear in a key: `KeyHasher` replaces them with a keyed
hash (HMAC-SHA-256 with a service secret and the tenant), so the audit, the counters and the logs
can be joined on them without holding them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum

from services.riskcontrol.domain.errors import InvalidArgument


class KeyLevel(Enum):
    """Mirrors riskcontrol.v1.KeyLevel: five escalating levels, then single attributes."""

    SKU = 1
    ORDER_SKU = 2
    USER_ORDER_SKU = 3
    IP_USER_ORDER_SKU = 4
    DEVICE_IP_ORDER_SKU_USER = 5
    USER = 6
    IP = 7
    DEVICE = 8
    USER_SKU = 9

    @property
    def attributes(self) -> tuple[str, ...]:
        return _ATTRIBUTES[self]

    @property
    def has_user(self) -> bool:
        return "user" in self.attributes

    @property
    def has_sku(self) -> bool:
        return "sku" in self.attributes


_ATTRIBUTES: dict[KeyLevel, tuple[str, ...]] = {
    KeyLevel.SKU: ("sku",),
    KeyLevel.ORDER_SKU: ("sku", "order"),
    KeyLevel.USER_ORDER_SKU: ("sku", "order", "user"),
    KeyLevel.IP_USER_ORDER_SKU: ("sku", "order", "user", "ip"),
    KeyLevel.DEVICE_IP_ORDER_SKU_USER: ("sku", "order", "user", "ip", "device"),
    KeyLevel.USER: ("user",),
    KeyLevel.IP: ("ip",),
    KeyLevel.DEVICE: ("device",),
    KeyLevel.USER_SKU: ("sku", "user"),
}
_HASHED = ("ip", "device")
_FIELD_NAMES = {
    "sku": "sku_id",
    "order": "order_id",
    "user": "user_id",
    "ip": "ip",
    "device": "device_id",
}


@dataclass(frozen=True)
class KeyHasher:
    """Keyed hashes of IP addresses and device ids, per tenant."""

    secret: bytes

    def __post_init__(self) -> None:
        # Keyed once: each digest copies the keyed state instead of hashing the secret again.
        object.__setattr__(self, "_keyed", hmac.new(self.secret, digestmod=hashlib.sha256))

    def digest(self, tenant_id: str, value: str) -> str:
        if not value:
            return ""
        mac = self._keyed.copy()  # type: ignore[attr-defined]
        mac.update(f"{tenant_id}\x00{value}".encode())
        return mac.hexdigest()[:20]


@dataclass(frozen=True)
class Identity:
    """Who is attempting from where; ip and device are already keyed hashes."""

    user_id: str
    order_id: str
    ip_hash: str
    device_hash: str


_PARTS: dict[int, tuple[tuple[str, str], ...]] = {
    level.value: tuple((a, "#" if a in _HASHED else ":") for a in attributes)
    for level, attributes in _ATTRIBUTES.items()
}


def canonical_key(level: KeyLevel, identity: Identity, sku_id: str = "") -> str | None:
    """The key in canonical text form, e.g. `sku:s1|user:u7|ip#3f9a0c`; None when the attempt
    lacks an attribute of the level (no device id given, for example)."""
    values = {
        "sku": sku_id,
        "order": identity.order_id,
        "user": identity.user_id,
        "ip": identity.ip_hash,
        "device": identity.device_hash,
    }
    parts = []
    for attribute, separator in _PARTS[level.value]:
        value = values[attribute]
        if not value:
            return None
        parts.append(f"{attribute}{separator}{value}")
    return "|".join(parts)


_LEVEL_PARTS = tuple((level, level.value, level.has_sku, _PARTS[level.value]) for level in KeyLevel)


def attempt_keys(
    identity: Identity, sku_ids: tuple[str, ...]
) -> dict[tuple[int, str], tuple[KeyLevel, str | None]]:
    """Every key of an attempt at once, by (level number, SKU id; "" for a level without SKU):
    the same texts as `canonical_key`, built without its per-call lookups (Assess is the hot
    path)."""
    values = {
        "order": identity.order_id,
        "user": identity.user_id,
        "ip": identity.ip_hash,
        "device": identity.device_hash,
    }
    keys: dict[tuple[int, str], tuple[KeyLevel, str | None]] = {}
    for level, number, has_sku, parts in _LEVEL_PARTS:
        for sku_id in sku_ids if has_sku else ("",):
            values["sku"] = sku_id
            texts = [f"{a}{separator}{values[a]}" for a, separator in parts if values[a]]
            key = "|".join(texts) if len(texts) == len(parts) else None
            keys[(number, sku_id)] = (level, key)
    return keys


def required_fields(level: KeyLevel) -> tuple[str, ...]:
    """The RiskKey fields a level needs, named as in the contract."""
    return tuple(_FIELD_NAMES[a] for a in level.attributes)


@dataclass(frozen=True)
class KeySpec:
    """A key as given in a request: a level and the attributes it uses, IP and device in clear."""

    level: KeyLevel
    sku_id: str = ""
    order_id: str = ""
    user_id: str = ""
    ip: str = ""
    device_id: str = ""

    def canonical(self, tenant_id: str, hasher: KeyHasher, field: str) -> str:
        """The canonical key; raises InvalidArgument naming the first missing attribute."""
        given = {"sku_id": self.sku_id, "order_id": self.order_id, "user_id": self.user_id,
                 "ip": self.ip, "device_id": self.device_id}  # fmt: skip
        for name in required_fields(self.level):
            if not given[name]:
                raise InvalidArgument(f"{field}.{name}", f"is required for level {self.level.name}")
        identity = Identity(
            self.user_id,
            self.order_id,
            hasher.digest(tenant_id, self.ip),
            hasher.digest(tenant_id, self.device_id),
        )
        key = canonical_key(self.level, identity, self.sku_id)
        assert key is not None
        return key
