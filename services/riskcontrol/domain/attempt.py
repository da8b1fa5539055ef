"""A reservation attempt to be assessed, and its validation."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from enum import Enum

from services.riskcontrol.domain.errors import InvalidArgument
from services.riskcontrol.domain.keys import Identity, KeyHasher
from services.riskcontrol.domain.rules import LockStage

MAX_LINES = 50
# Attempts assessed in one AssessBatch call at most: bounds one script's run on Redis (which
# serves nothing else meanwhile) and one call's answer.
MAX_BATCH = 256
MAX_ID_LENGTH = 128
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class AttemptKind(Enum):
    HOLD = 1
    PURCHASE = 2
    RESIZE = 3


class EnforcementMode(Enum):
    SHADOW = 1
    ENFORCE = 2


@dataclass(frozen=True)
class AttemptLine:
    sku_id: str
    quantity: int
    previous_quantity: int = 0
    purchase_limit: int = 0

    @property
    def added_units(self) -> int:
        """The units this attempt adds: the whole line, or a resize's increase."""
        return max(0, self.quantity - self.previous_quantity)


@dataclass(frozen=True)
class Attempt:
    tenant_id: str
    request_id: str
    kind: AttemptKind
    lines: tuple[AttemptLine, ...]
    lock_stage: LockStage
    user_id: str
    order_id: str
    platform_id: str = ""
    ip: str = ""
    device_id: str = ""
    challenge_pass_token: str = ""
    reservation_id: str = ""
    caller_mode: EnforcementMode = EnforcementMode.ENFORCE

    @property
    def sku_ids(self) -> tuple[str, ...]:
        return tuple(line.sku_id for line in self.lines)

    def identity(self, hasher: KeyHasher) -> Identity:
        return Identity(
            self.user_id,
            self.order_id,
            hasher.digest(self.tenant_id, self.ip),
            hasher.digest(self.tenant_id, self.device_id),
        )

    def fingerprint(self, identity: Identity) -> str:
        """A digest of the content, to tell a retry from a reused request id. The IP and device
        enter as their keyed hashes (`identity`): a plain digest of a clear IP kept next to the
        other fields in clear gives the IP back after 2^32 guesses."""
        return self._digest(identity.ip_hash, identity.device_hash)

    def fingerprint_before_keyed_hashes(self) -> str:
        """The digest over the clear IP and device that request records written before
        `fingerprint` used the keyed hashes carry: computed only to recognise a retry of such a
        record (kept 24 h), never stored."""
        return self._digest(self.ip, self.device_id)

    def _digest(self, ip: str, device: str) -> str:
        text = repr((self.kind, self.lines, self.lock_stage, self.user_id, self.order_id,
                     self.platform_id, ip, device, self.challenge_pass_token,
                     self.reservation_id, self.caller_mode))  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def validate_request_id(request_id: str, field: str = "request_id") -> None:
    if not _REQUEST_ID.fullmatch(request_id):
        raise InvalidArgument(field, "must be 1-128 characters of [A-Za-z0-9._:-]")


def validate_batch_size(count: int, field: str = "requests") -> None:
    if not 1 <= count <= MAX_BATCH:
        raise InvalidArgument(field, f"must have 1 to {MAX_BATCH} requests, not {count}")


def validate_identifier(value: str, field: str, *, required: bool = True) -> None:
    if required and not value:
        raise InvalidArgument(field, "is required")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidArgument(field, f"must be at most {MAX_ID_LENGTH} characters")


def validate_ip(value: str, field: str) -> None:
    if value and not _is_ip(value):
        raise InvalidArgument(field, "must be an IPv4 or IPv6 address")


@functools.lru_cache(maxsize=65536)
def _is_ip(value: str) -> bool:
    """Parsing an address costs microseconds and a crowd repeats its addresses (carrier NAT)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def validate_attempt(attempt: Attempt) -> None:
    """Raises InvalidArgument naming the first bad field; nothing is counted for a bad attempt."""
    validate_identifier(attempt.tenant_id, "tenant_id")
    validate_request_id(attempt.request_id)
    validate_identifier(attempt.user_id, "attempt.user_id")
    validate_identifier(attempt.order_id, "attempt.order_id")
    validate_identifier(attempt.platform_id, "attempt.platform_id", required=False)
    validate_identifier(attempt.device_id, "attempt.device_id", required=False)
    validate_identifier(attempt.reservation_id, "attempt.reservation_id", required=False)
    validate_ip(attempt.ip, "attempt.ip")
    if not 1 <= len(attempt.lines) <= MAX_LINES:
        raise InvalidArgument("attempt.lines", f"must have 1 to {MAX_LINES} lines")
    if len(set(attempt.sku_ids)) != len(attempt.lines):
        raise InvalidArgument("attempt.lines", "must have at most one line per SKU")
    for index, line in enumerate(attempt.lines):
        _validate_line(attempt.kind, line, f"attempt.lines[{index}]")


def _validate_line(kind: AttemptKind, line: AttemptLine, path: str) -> None:
    validate_identifier(line.sku_id, f"{path}.sku_id")
    if line.quantity <= 0:
        raise InvalidArgument(f"{path}.quantity", "must be positive")
    if line.purchase_limit < 0:
        raise InvalidArgument(f"{path}.purchase_limit", "must not be negative")
    if kind is AttemptKind.RESIZE and line.previous_quantity <= 0:
        raise InvalidArgument(f"{path}.previous_quantity", "must be positive for a RESIZE")
    if kind is not AttemptKind.RESIZE and line.previous_quantity != 0:
        raise InvalidArgument(f"{path}.previous_quantity", "is only for a RESIZE")
