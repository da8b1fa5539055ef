"""The real clock and id factory (tests inject their own)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidIds:
    def alert_id(self) -> str:
        return str(uuid.uuid4())

    def reminder_id(self) -> str:
        return str(uuid.uuid4())
