"""Checks of what callers send: a bad field is INVALID_ARGUMENT naming it, before anything changes."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.message import Message

from services.inventory.domain.errors import InvalidArgument
from services.inventory.domain.policy import MAX_HOLD_TTL
from services.inventory.service_layer.commands import Idempotency

E = TypeVar("E", bound=Enum)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Business ids: no spaces, braces or control characters (they end up in keys and logs).
_BUSINESS_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
MAX_ON_HAND = 1_000_000_000
MAX_HOLD_QUANTITY = 1_000_000
MAX_LINES = 50
MAX_TEXT = 500
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50


def request_id(request: Any) -> Idempotency:
    """The request id and a fingerprint of everything else the request carries."""
    value = request.request_id
    if not _REQUEST_ID.fullmatch(value):
        raise InvalidArgument("request_id", "1-128 characters of letters, digits and ._:-")
    copy = type(request)()
    copy.CopyFrom(request)
    copy.request_id = ""
    digest = hashlib.sha256(type(request).DESCRIPTOR.full_name.encode())
    digest.update(copy.SerializeToString(deterministic=True))
    return Idempotency(value, digest.hexdigest())


def business_id(field: str, value: str) -> str:
    if not _BUSINESS_ID.fullmatch(value):
        raise InvalidArgument(field, "1-128 characters of letters, digits and ._:@/+=-")
    return value


def optional_id(field: str, value: str) -> str:
    return business_id(field, value) if value else ""


def tenant(request: Any) -> str:
    return business_id("tenant_id", request.tenant_id)


def text(field: str, value: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise InvalidArgument(field, f"at most {limit} characters")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL
        raise InvalidArgument(field, "must not contain NUL characters")
    return value


def quantity(field: str, value: int, low: int = 1, high: int = MAX_HOLD_QUANTITY) -> int:
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be between {low} and {high}")
    return value


def enum(field: str, value: int, kind: type[E], default: E | None = None) -> E:
    """A proto enum value to the domain enum of the same numbers; 0 means default or is refused."""
    if value == 0 and default is not None:
        return default
    try:
        return kind(value)
    except ValueError:
        raise InvalidArgument(field, f"must be one of {[m.name for m in kind]}") from None


def span(field: str, value: duration_pb2.Duration, high: timedelta = MAX_HOLD_TTL) -> timedelta:
    if value.seconds < 0 or not 0 <= value.nanos < 1_000_000_000:
        raise InvalidArgument(field, "must not be negative (nanos within a second)")
    if value.seconds > high.total_seconds():
        raise InvalidArgument(field, f"at most {high}")
    return value.ToTimedelta()


def moment(field: str, value: timestamp_pb2.Timestamp) -> datetime:
    if not 0 < value.seconds < 253402300800 or not 0 <= value.nanos < 1_000_000_000:
        raise InvalidArgument(field, "must be a valid time after 1970")
    try:
        return value.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(field, "must be a valid time after 1970") from None


def page_size(value: int) -> int:
    if value < 0 or value > MAX_PAGE_SIZE:
        raise InvalidArgument("page_size", f"must be between 0 and {MAX_PAGE_SIZE}")
    return value or DEFAULT_PAGE_SIZE


def has(message: Message, field: str) -> bool:
    return message.HasField(field)


def page_token(values: list[str | int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def read_page_token(token: str, shape: tuple[type, ...]) -> list[Any] | None:
    """The cursor a page token carries, checked against its expected shape; None for no token."""
    if not token:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(shape)
        or not all(_cursor_value(v, t) for v, t in zip(values, shape, strict=True))
    ):
        raise InvalidArgument("page_token", "not a token this list returned")
    return values


def _cursor_value(value: Any, kind: type) -> bool:
    """A cursor value of the kind a list's token carries and that its query can take: ids
    without NUL, numbers (entry ids, microseconds since 1970) within the years 1970 to 9999."""
    if kind is str:
        return isinstance(value, str) and "\x00" not in value
    return type(value) is kind and 0 <= value <= _MAX_CURSOR_NUMBER


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_CURSOR_NUMBER = (datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)


def micros(moment_: datetime) -> int:
    """A time as whole microseconds since 1970, exact (page tokens carry times this way)."""
    return (moment_ - _EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)
