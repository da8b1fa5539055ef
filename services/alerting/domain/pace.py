"""Dynamic thresholds: the live pace against the plan moves every consumption line.

The rule (seed: "if the first half hour already sold 40 % of the forecast, raise the warning; if an
hour in it has not reached 10 %, relax it"), deterministic and latched so a line never moves back and
forth while the pace hovers around a boundary:

- AHEAD: at some moment within `early_window` of the start, the consumed fraction reached
  `early_ahead_fraction` (default 40 % within 30 min). The lines are multiplied by `tighten_factor`
  (default 0.9: YELLOW at 72 %, ORANGE at 90 %, RED at 108 %) for the rest of the session.
- BEHIND: otherwise, once `late_after` has elapsed (default 60 min) while the consumed fraction is
  below `late_behind_fraction` (default 10 %), the lines are multiplied by `relax_factor` (default
  1.1). The relaxation ends as soon as the fraction reaches `late_behind_fraction` again.
- ON_PLAN otherwise, or when the adjustment is disabled.

`early_peak_fraction` is the highest consumed fraction observed within the early window; the
session state keeps it, so the rule depends only on recorded facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from services.alerting.domain.policy import PaceAdjustment


class PaceState(Enum):
    ON_PLAN = 1
    AHEAD = 2
    BEHIND = 3


@dataclass(frozen=True)
class Pace:
    state: PaceState
    factor: float


def pace(
    adjustment: PaceAdjustment,
    elapsed: timedelta,
    consumed_fraction: float,
    early_peak_fraction: float,
) -> Pace:
    if not adjustment.enabled:
        return Pace(PaceState.ON_PLAN, 1.0)
    if early_peak_fraction >= adjustment.early_ahead_fraction:
        return Pace(PaceState.AHEAD, adjustment.tighten_factor)
    if elapsed >= adjustment.late_after and consumed_fraction < adjustment.late_behind_fraction:
        return Pace(PaceState.BEHIND, adjustment.relax_factor)
    return Pace(PaceState.ON_PLAN, 1.0)


def early_peak(
    adjustment: PaceAdjustment, elapsed: timedelta, consumed_fraction: float, previous_peak: float
) -> float:
    """The early-window peak after one more observation."""
    if elapsed > adjustment.early_window:
        return previous_peak
    return max(previous_peak, consumed_fraction)
