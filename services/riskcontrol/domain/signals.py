"""Which counters an attempt reads and writes: the signal plan.

Every rule that applies to the attempt's stage becomes a check on a probe: one counter of one key,
read over the rule's sliding window. Probes of the same signal, key and window are shared. The
plan is pure data; the signal store executes it atomically in one script.

Counters and what a write adds:
- ATTEMPT_VELOCITY, CART_EDITS: a sliding log of attempt ids (sorted set by time);
- QUANTITY_VELOCITY: a sliding log of (attempt id, units);
- DISTINCT_ACCOUNTS: users by last-seen time (sorted set), so the count in a window is exact;
- PURCHASE_LIMIT_RATIO: units attempted per order on a user and SKU, over the limit;
- UNPAID_EXPIRIES, PAYMENT_FAILURES, CHARGEBACKS, CHALLENGE_FAILURES: sliding logs written by
  feedback, only read by an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine
from services.riskcontrol.domain.keys import Identity, KeyLevel, canonical_key
from services.riskcontrol.domain.rules import Rule, RuleSet, Signal


class ProbeKind(Enum):
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


@dataclass(frozen=True)
class Probe:
    """One counter read (and maybe written) by an attempt. `replace` makes a LIMIT write set the
    order's units instead of adding to them (an edited cart line)."""

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
    replace: bool = False


@dataclass(frozen=True)
class Check:
    rule: Rule
    probe: int


@dataclass(frozen=True)
class SignalPlan:
    probes: tuple[Probe, ...]
    checks: tuple[Check, ...]
    list_keys: tuple[tuple[KeyLevel, str], ...]


def list_keys(identity: Identity, sku_ids: tuple[str, ...]) -> tuple[tuple[KeyLevel, str], ...]:
    """Every key of the attempt at every level, for the allow and deny lists."""
    keys: dict[str, KeyLevel] = {}
    for level in KeyLevel:
        for sku_id in sku_ids if level.has_sku else ("",):
            key = canonical_key(level, identity, sku_id)
            if key is not None:
                keys.setdefault(key, level)
    return tuple((level, key) for key, level in keys.items())


def plan_signals(
    rule_set: RuleSet, attempt: Attempt, identity: Identity, attempt_id: str
) -> SignalPlan:
    probes: dict[tuple[Signal, str, int], int] = {}
    ordered: list[Probe] = []
    checks: list[Check] = []
    for rule in rule_set.rules_for(attempt.lock_stage):
        for probe in _probes(rule, rule_set, attempt, identity, attempt_id):
            slot = (probe.signal, probe.key, probe.window_ms)
            if slot not in probes:
                probes[slot] = len(ordered)
                ordered.append(probe)
            checks.append(Check(rule, probes[slot]))
    return SignalPlan(tuple(ordered), tuple(checks), list_keys(identity, attempt.sku_ids))


def _probes(
    rule: Rule, rule_set: RuleSet, attempt: Attempt, identity: Identity, attempt_id: str
) -> list[Probe]:
    window_ms = int(rule.window.total_seconds() * 1000)
    retention_ms = int(rule_set.retention(rule.signal, rule.key_level).total_seconds() * 1000)
    scopes: tuple[AttemptLine | None, ...] = attempt.lines if rule.key_level.has_sku else (None,)
    probes = []
    for line in scopes:
        key = canonical_key(rule.key_level, identity, line.sku_id if line else "")
        if key is None:
            continue
        probe = _probe(rule, attempt, line, key, window_ms, retention_ms, attempt_id)
        if probe is not None:
            probes.append(probe)
    return probes


def _probe(
    rule: Rule,
    attempt: Attempt,
    line: AttemptLine | None,
    key: str,
    window_ms: int,
    retention_ms: int,
    attempt_id: str,
) -> Probe | None:
    kind = _KIND[rule.signal]
    base = Probe(rule.signal, rule.key_level, key, window_ms, retention_ms, kind)
    units = line.added_units if line else sum(ln.added_units for ln in attempt.lines)
    resize = attempt.kind is AttemptKind.RESIZE
    if rule.signal is Signal.CART_EDITS:
        return _replace(base, member=attempt_id, amount=1, write=resize)
    if kind is ProbeKind.COUNT:
        return _replace(base, member=attempt_id, amount=1, write=True)
    if kind is ProbeKind.SUM:
        return _replace(base, member=attempt_id, amount=units, write=units > 0)
    if kind is ProbeKind.DISTINCT:
        return _replace(base, member=attempt.user_id, amount=1, write=True)
    if kind is ProbeKind.LIMIT:
        if line is None or line.purchase_limit <= 0:
            return None
        amount = line.quantity if resize else line.added_units
        return _replace(
            base, member=attempt.order_id, amount=amount, limit=line.purchase_limit,
            write=True, replace=resize,
        )  # fmt: skip
    return base


def _replace(probe: Probe, **changes: object) -> Probe:
    return replace(probe, **changes)  # type: ignore[arg-type]
