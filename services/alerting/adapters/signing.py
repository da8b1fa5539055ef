"""Webhook signatures: `sha256=` + hex HMAC-SHA256 of "<unix seconds>.<body>" with the secret."""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-StreamStock-Timestamp"
SIGNATURE_HEADER = "X-StreamStock-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, timestamp: str, body: bytes, presented: str) -> bool:
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, presented)
