"""Compressed time: a two-hour live session played in about two minutes.

A scenario speaks in session time (the host's clock: "restock at 60 min", "holds last 20 min").
The run happens in real time, `factor` times faster. Every duration handed to a service (hold
TTLs, the expiring-soon lead, plan windows, restock lead time) is converted here, in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_UNIT_SECONDS: Final = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_DURATION: Final = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")


def parse_duration(text: str | int | float) -> float:
    """Seconds in `90`, `"90s"`, `"20m"`, `"2h"`, `"1h30m"`, `"7d"` or `"250ms"`; ValueError otherwise."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"{text!r} is negative")
        return float(text)
    compact = text.replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"{text!r} is not a duration like 90s, 20m, 2h or 1h30m")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


@dataclass(frozen=True)
class TimeScale:
    """`factor` session seconds pass in one real second."""

    factor: float

    def __post_init__(self) -> None:
        if not self.factor > 0:
            raise ValueError(f"time factor must be positive, got {self.factor!r}")

    def to_real(self, session_seconds: float) -> float:
        """How long `session_seconds` of the session last in real time."""
        return session_seconds / self.factor

    def to_session(self, real_seconds: float) -> float:
        """How much session time `real_seconds` of real time stand for."""
        return real_seconds * self.factor

    def rate_to_real(self, per_session_minute: float) -> float:
        """A rate per session minute as a rate per real second."""
        return per_session_minute * self.factor / 60.0

    def sweep_interval(self, hold_ttl_session_seconds: float) -> float:
        """How often the expiry sweeper should look: a fiftieth of the shortest real hold, at most
        the service default (0.5 s) and at least 20 ms, so expiries land close to their deadline."""
        return min(0.5, max(0.02, self.to_real(hold_ttl_session_seconds) / 50.0))


def format_clock(session_seconds: float) -> str:
    """`h:mm:ss` of a session clock."""
    whole = int(session_seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
