"""Allocation policies and platforms as the rebalancer sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from services.sync.domain.allocation import Hysteresis
from services.sync.domain.errors import InvalidArgument

DEFAULT_HALF_LIFE_SECONDS = 300.0
DEFAULT_ACK_TIMEOUT_SECONDS = 60.0
DEFAULT_PUSH_TIMEOUT_SECONDS = 2.0


class PlatformMode(IntEnum):
    QUOTA = 1
    SHARED = 2


class EndpointKind(IntEnum):
    UNSPECIFIED = 0
    HTTP = 1
    GRPC = 2


@dataclass(frozen=True)
class PushEndpoint:
    kind: EndpointKind = EndpointKind.UNSPECIFIED
    url: str = ""
    credentials_ref: str = ""
    request_timeout_seconds: float = DEFAULT_PUSH_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Platform:
    """A sales platform of a tenant and how sync reaches it."""

    platform_id: str
    display_name: str
    mode: PlatformMode
    endpoint: PushEndpoint = field(default_factory=PushEndpoint)
    ack_timeout_seconds: float = DEFAULT_ACK_TIMEOUT_SECONDS
    disabled: bool = False

    def validate(self) -> None:
        if not self.platform_id or len(self.platform_id) > 64:
            raise InvalidArgument("platform.platform_id", "must be 1 to 64 characters")
        if self.mode not in (PlatformMode.QUOTA, PlatformMode.SHARED):
            raise InvalidArgument("platform.mode", "must be QUOTA or SHARED")
        if self.ack_timeout_seconds < 0:
            raise InvalidArgument("platform.ack_timeout", "must not be negative")
        if self.mode is PlatformMode.QUOTA:
            self._validate_endpoint()

    def _validate_endpoint(self) -> None:
        endpoint = self.endpoint
        if endpoint.kind not in (EndpointKind.HTTP, EndpointKind.GRPC):
            raise InvalidArgument("platform.push_endpoint.kind", "is required in QUOTA mode")
        if not endpoint.url:
            raise InvalidArgument("platform.push_endpoint.url", "is required in QUOTA mode")
        if endpoint.kind is EndpointKind.HTTP and not _allowed_http_url(endpoint.url):
            raise InvalidArgument(
                "platform.push_endpoint.url", "must be https (http only for loopback hosts)"
            )
        if endpoint.request_timeout_seconds <= 0:
            raise InvalidArgument("platform.push_endpoint.request_timeout", "must be positive")


def _allowed_http_url(url: str) -> bool:
    if url.startswith("https://"):
        return True
    return url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))


@dataclass(frozen=True)
class Share:
    platform_id: str
    weight: float
    min_units: int = 0
    max_units: int = 0


@dataclass(frozen=True)
class AllocationPolicy:
    """How a SKU's pool is split; sku_id empty for the tenant default."""

    sku_id: str
    enabled: bool
    pool_reserve_units: int = 0
    shares: tuple[Share, ...] = ()
    hysteresis: Hysteresis = field(default_factory=Hysteresis)
    half_life_seconds: float = DEFAULT_HALF_LIFE_SECONDS

    def validate(self) -> None:
        if self.pool_reserve_units < 0:
            raise InvalidArgument("policy.pool_reserve_units", "must not be negative")
        if self.hysteresis.units < 0:
            raise InvalidArgument("policy.hysteresis_units", "must not be negative")
        if not 0 <= self.hysteresis.fraction <= 1:
            raise InvalidArgument("policy.hysteresis_fraction", "must lie in [0, 1]")
        if self.half_life_seconds <= 0:
            raise InvalidArgument("policy.velocity_half_life", "must be positive")
        seen: set[str] = set()
        for index, share in enumerate(self.shares):
            self._validate_share(index, share, seen)

    @staticmethod
    def _validate_share(index: int, share: Share, seen: set[str]) -> None:
        where = f"policy.shares[{index}]"
        if not share.platform_id:
            raise InvalidArgument(f"{where}.platform_id", "is required")
        if share.platform_id in seen:
            raise InvalidArgument(f"{where}.platform_id", "appears twice")
        seen.add(share.platform_id)
        if not share.weight > 0:
            raise InvalidArgument(f"{where}.weight", "must be greater than 0")
        if share.min_units < 0:
            raise InvalidArgument(f"{where}.min_units", "must not be negative")
        if share.max_units < 0 or (share.max_units and share.max_units < share.min_units):
            raise InvalidArgument(f"{where}.max_units", "must be 0 or at least min_units")
