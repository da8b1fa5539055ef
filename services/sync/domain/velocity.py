"""Smoothed sell-through velocity: an exponentially decaying rate of sold units.

Every sold unit adds ln 2 / half-life to the rate, and the rate halves every half-life without
sales, so a burst fades and a steady seller converges to its true units per second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Velocity:
    """The smoothed rate in units per second as of `observed_at` (seconds since the epoch)."""

    rate_per_second: float = 0.0
    observed_at: float = 0.0

    def at(self, now: float, half_life_seconds: float) -> Velocity:
        """The rate decayed to `now`; a clock that went backwards changes nothing."""
        elapsed = max(0.0, now - self.observed_at)
        decay = math.exp(-math.log(2) * elapsed / half_life_seconds) if half_life_seconds > 0 else 0
        return Velocity(self.rate_per_second * decay, max(now, self.observed_at))

    def with_sale(self, units: int, now: float, half_life_seconds: float) -> Velocity:
        decayed = self.at(now, half_life_seconds)
        gain = math.log(2) / half_life_seconds if half_life_seconds > 0 else 0.0
        return Velocity(decayed.rate_per_second + units * gain, decayed.observed_at)

    def per_minute(self, now: float, half_life_seconds: float) -> float:
        return self.at(now, half_life_seconds).rate_per_second * 60.0
