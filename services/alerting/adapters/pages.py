"""Opaque page tokens (AIP-158): the offset of the next page, base64-encoded."""

from __future__ import annotations

import base64

from services.alerting.domain.errors import InvalidArgument


def decode_offset(token: str) -> int:
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o:"))
    except ValueError as exc:
        raise InvalidArgument("page_token", "is not a token this service issued") from exc
    if offset < 0:
        raise InvalidArgument("page_token", "is not a token this service issued")
    return offset


def next_token(offset: int, size: int, fetched: int) -> str:
    """Queries fetch size + 1 rows; a token is issued only when that extra row exists."""
    if fetched <= size:
        return ""
    return base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
