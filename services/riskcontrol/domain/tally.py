"""The purchase-limit tally of a user on a SKU: what counts against the limit, and when.

One hash per user and SKU, one field per thing that counts, its units as the value:
- `p:<time ms>:<decision id>`: an attempt riskcontrol allowed, provisional: its units count while
  the attempt may still become a hold (in flight), until inventory's event confirms the hold, and
  no longer than the grace after the attempt (inventory refused it, or its hold call failed);
- `h:<reservation id>`: a hold inventory reported (created, or resized) for a decision
  riskcontrol made, with the units its line holds; released units come off it;
- `<order id>`: units counted by the version before provisional attempts (kept while such a
  tally lives: at most its retention after the deploy).

The assess script (adapters/lua/assess.lua) and the feedback script (record_feedback.lua) work on
the same fields; `counted` is the reading of GetSignals and the model the scripts are tested
against.
"""

from __future__ import annotations

from collections.abc import Mapping

ATTEMPT_PREFIX = "p:"
HOLD_PREFIX = "h:"


def attempt_field(at_ms: int, decision_id: str) -> str:
    return f"{ATTEMPT_PREFIX}{at_ms}:{decision_id}"


def hold_field(reservation_id: str) -> str:
    return f"{HOLD_PREFIX}{reservation_id}"


def attempt_time(field: str) -> int | None:
    """The attempt's time in ms, for a provisional field; None for any other field."""
    if not field.startswith(ATTEMPT_PREFIX):
        return None
    at, separator, _ = field[len(ATTEMPT_PREFIX) :].partition(":")
    return int(at) if separator and at.isdigit() else None


def lapsed(field: str, now_ms: int, grace_ms: int) -> bool:
    """A provisional attempt older than the grace: it never became a hold riskcontrol heard of."""
    at = attempt_time(field)
    return at is not None and at <= now_ms - grace_ms


def counted(tally: Mapping[str, int], now_ms: int, grace_ms: int) -> int:
    """The units that count against the limit: every field but lapsed attempts."""
    return sum(units for field, units in tally.items() if not lapsed(field, now_ms, grace_ms))
