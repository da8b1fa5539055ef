"""The real clock and id factory (tests inject their own)."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomIds:
    """Reservation ids that sort by creation time: 12 hex digits of milliseconds, 16 random."""

    def reservation_id(self) -> str:
        return f"r{int(time.time() * 1000):012x}{secrets.token_hex(8)}"
