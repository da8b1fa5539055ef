"""Which counters an attempt reads and writes: the signal plan.

Every rule that applies to the attempt's stage becomes a check on a probe: one counter of one key,
read over the rule's sliding window. Probes of the same signal, key and window are shared. The
plan is pure data; the signal store executes it atomically in one script.

Counters and what a write adds:
- ATTEMPT_VELOCITY, CART_EDITS: a sliding log of attempt ids (sorted set by time);
- QUANTITY_VELOCITY: a sliding log of (attempt id, units);
- DISTINCT_ACCOUNTS: users by last-seen time (sorted set), so the count in a window is exact;
- PURCHASE_LIMIT_RATIO: units of the user's holds and in-flight attempts on a SKU, over the
  limit (domain/tally.py; a cap for the sale, not a rate: the window is how long the tally lives
  after its last write);
- UNPAID_EXPIRIES, PAYMENT_FAILURES, CHARGEBACKS, CHALLENGE_FAILURES: sliding logs written by
  feedback, only read by an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine
from services.riskcontrol.domain.keys import Identity, KeyLevel, attempt_keys
from services.riskcontrol.domain.rules import LockStage, Rule, RuleSet, Signal
from services.riskcontrol.domain.tally import hold_field


class ProbeKind(IntEnum):
    """Numbered as the assess script reads them (an IntEnum serialises as its number)."""

    COUNT = 1
    SUM = 2
    DISTINCT = 3
    EVENTS = 4
    LIMIT = 5


_KIND = {
    Signal.ATTEMPT_VELOCITY: ProbeKind.COUNT,
    Signal.CART_EDITS: ProbeKind.COUNT,
    Signal.QUANTITY_VELOCITY: ProbeKind.SUM,
    Signal.DISTINCT_ACCOUNTS: ProbeKind.DISTINCT,
    Signal.PURCHASE_LIMIT_RATIO: ProbeKind.LIMIT,
    Signal.UNPAID_EXPIRIES: ProbeKind.EVENTS,
    Signal.PAYMENT_FAILURES: ProbeKind.EVENTS,
    Signal.CHARGEBACKS: ProbeKind.EVENTS,
    Signal.CHALLENGE_FAILURES: ProbeKind.EVENTS,
}


class Probe(NamedTuple):
    """One counter read (and maybe written) by an attempt. For a LIMIT probe of a RESIZE,
    `previous` is the line's units before it (`amount` the units after) and `member` the resized
    hold's tally field: the attempt adds the growth over what the tally counts for that hold (or
    over `previous` when it counts none). A named tuple: an Assess builds a dozen of them, and a
    frozen dataclass costs several times more to construct."""

    signal: Signal
    level: KeyLevel
    key: str
    window_ms: int
    retention_ms: int
    kind: ProbeKind
    member: str = ""
    amount: int = 0
    limit: int = 0
    write: bool = False
    previous: int = 0


class Check(NamedTuple):
    rule: Rule
    probe: int


@dataclass(frozen=True)
class SignalPlan:
    probes: tuple[Probe, ...]
    checks: tuple[Check, ...]
    list_keys: tuple[tuple[KeyLevel, str], ...]


def _list_keys(
    keys: dict[tuple[int, str], tuple[KeyLevel, str | None]],
) -> tuple[tuple[KeyLevel, str], ...]:
    """Every key of the attempt at every level, for the allow and deny lists."""
    first: dict[str, KeyLevel] = {}
    for level, key in keys.values():
        if key is not None:
            first.setdefault(key, level)
    return tuple((level, key) for key, level in first.items())


@dataclass(frozen=True)
class _Compiled:
    """A rule with what planning needs precomputed once per rule set (Assess is the hot path)."""

    rule: Rule
    kind: ProbeKind
    window_ms: int
    retention_ms: int
    per_line: bool
    level_number: int
    signal_number: int


def _compile(rule_set: RuleSet) -> tuple[_Compiled, ...]:
    return tuple(
        _Compiled(
            rule,
            _KIND[rule.signal],
            int(rule.window.total_seconds() * 1000),
            int(rule_set.retention(rule.signal, rule.key_level).total_seconds() * 1000),
            rule.key_level.has_sku,
            rule.key_level.value,
            rule.signal.value,
        )
        for rule in rule_set.rules
    )


def _compiled_rules(rule_set: RuleSet, stage: LockStage) -> tuple[_Compiled, ...]:
    memo_key = f"signal_plan:{stage.name}"
    compiled = rule_set.memo.get(memo_key)
    if compiled is None:
        every = _compile(rule_set)
        compiled = rule_set.memo[memo_key] = tuple(c for c in every if c.rule.applies_to(stage))
    return compiled  # type: ignore[return-value]


def plan_signals(
    rule_set: RuleSet, attempt: Attempt, identity: Identity, attempt_id: str
) -> SignalPlan:
    # Slots and scopes are keyed by enum values: hashing an Enum member runs Python code.
    probes: dict[tuple[int, str, int], int] = {}
    ordered: list[Probe] = []
    checks: list[Check] = []
    keys = attempt_keys(identity, attempt.sku_ids)
    resize = attempt.kind is AttemptKind.RESIZE
    per_line = [(line, line.sku_id, line.added_units) for line in attempt.lines]
    whole = [(None, "", sum(units for _, _, units in per_line))]
    for compiled in _compiled_rules(rule_set, attempt.lock_stage):
        for line, sku_id, units in per_line if compiled.per_line else whole:
            key = keys[(compiled.level_number, sku_id)][1]
            if key is None:
                continue
            probe = _probe(compiled, attempt, line, units, resize, key, attempt_id)
            if probe is None:
                continue
            slot = (compiled.signal_number, key, compiled.window_ms)
            if slot not in probes:
                probes[slot] = len(ordered)
                ordered.append(probe)
            checks.append(Check(compiled.rule, probes[slot]))
    return SignalPlan(tuple(ordered), tuple(checks), _list_keys(keys))


def _probe(
    compiled: _Compiled,
    attempt: Attempt,
    line: AttemptLine | None,
    units: int,
    resize: bool,
    key: str,
    attempt_id: str,
) -> Probe | None:
    """The probe of one rule on one key; `units` are the units the line (or attempt) adds."""
    rule, kind = compiled.rule, compiled.kind
    previous = 0
    if rule.signal is Signal.CART_EDITS:
        member, amount, write, limit = attempt_id, 1, resize, 0
    elif kind is ProbeKind.COUNT:
        member, amount, write, limit = attempt_id, 1, True, 0
    elif kind is ProbeKind.SUM:
        member, amount, write, limit = attempt_id, units, units > 0, 0
    elif kind is ProbeKind.DISTINCT:
        member, amount, write, limit = attempt.user_id, 1, True, 0
    elif kind is ProbeKind.LIMIT:
        if line is None or line.purchase_limit <= 0:
            return None
        member, amount, write, limit = "", units, True, line.purchase_limit
        if resize:
            member = hold_field(attempt.reservation_id) if attempt.reservation_id else ""
            amount, previous = line.quantity, line.previous_quantity
    else:
        member, amount, write, limit = "", 0, False, 0
    return Probe(
        rule.signal, rule.key_level, key, compiled.window_ms, compiled.retention_ms, kind,
        member, amount, limit, write, previous,
    )  # fmt: skip
