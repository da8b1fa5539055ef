"""Moments moved by spans without overflow: datetime arithmetic past the year 9999 (or before 1)
raises OverflowError, and one such error in the event follower would stop it for every tenant.
Every sum of a moment and a span that comes from outside (a caller's duration, a projection from a
rate near zero) goes through here and is clamped to the first or last moment a datetime holds."""

from __future__ import annotations

import math
from datetime import datetime, timedelta


def _bounds(at: datetime) -> tuple[datetime, datetime]:
    return datetime.min.replace(tzinfo=at.tzinfo), datetime.max.replace(tzinfo=at.tzinfo)


def shifted(at: datetime, minutes: float) -> datetime:
    """`at` moved by `minutes` (negative: earlier), clamped."""
    low, high = _bounds(at)
    if math.isnan(minutes):
        raise ValueError("a moment cannot move by NaN minutes")
    if minutes >= 0:
        room = (high - at).total_seconds() / 60.0
        return high if minutes >= room else at + timedelta(minutes=minutes)
    room = (at - low).total_seconds() / 60.0
    return low if -minutes >= room else at + timedelta(minutes=minutes)


def later(at: datetime, span: timedelta) -> datetime:
    """`at + span`, clamped."""
    return shifted(at, span.total_seconds() / 60.0)
