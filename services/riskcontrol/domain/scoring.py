"""Scoring: from the observed signals, list hits and pass token to a decision with its reasons.

The enforced score sums the scores of the non-shadow rules that fired; the shadow score sums every
rule that fired. Score thresholds map a score to a decision, and a rule's minimum decision raises
it. A deny-list hit blocks and an allow-list hit allows whatever the score (deny wins). A redeemed
pass token turns CHALLENGE into ALLOW; BLOCK stays BLOCK. In shadow enforcement the caller is told
ALLOW and the real verdict is kept as the shadow decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from services.riskcontrol.domain.attempt import EnforcementMode
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.rules import Decision, Rule, ScoreThresholds, Signal
from services.riskcontrol.domain.signals import Check, SignalPlan


class AccessList(Enum):
    ALLOW = 1
    DENY = 2


class PassTokenStatus(Enum):
    ABSENT = 1
    REDEEMED = 2
    INVALID = 3
    EXPIRED = 4
    ALREADY_USED = 5


@dataclass(frozen=True)
class ListHit:
    access_list: AccessList
    level: KeyLevel
    key: str
    entry_id: str


@dataclass(frozen=True)
class Reason:
    rule_id: str
    signal: Signal | None
    key_level: KeyLevel
    key: str
    window: timedelta | None
    observed: float
    threshold: float
    score: float
    shadow: bool


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    score: float
    shadow_decision: Decision
    shadow_score: float
    reasons: tuple[Reason, ...]
    enforcement: EnforcementMode

    @property
    def rejected_keys(self) -> frozenset[str]:
        """The keys the attempt was refused for; their counters must not count it."""
        if self.decision is Decision.ALLOW:
            return frozenset()
        return frozenset(r.key for r in self.reasons if not r.shadow)


def enforced(rule: Rule, global_shadow: bool) -> bool:
    return not (rule.shadow or global_shadow)


def _reason(check: Check, key: str, observed: float, global_shadow: bool) -> Reason:
    rule = check.rule
    return Reason(
        rule.rule_id, rule.signal, rule.key_level, key, rule.window, observed,
        rule.threshold, rule.score, not enforced(rule, global_shadow),
    )  # fmt: skip


def _list_reason(hit: ListHit, global_shadow: bool) -> Reason:
    rule_id = "deny_list" if hit.access_list is AccessList.DENY else "allow_list"
    return Reason(rule_id, None, hit.level, hit.key, None, 1.0, 0.0, 0.0, global_shadow)


def _decide(
    reasons: Sequence[Reason],
    rules: Sequence[Rule],
    thresholds: ScoreThresholds,
    lists: Sequence[ListHit],
) -> tuple[Decision, float]:
    score = sum(r.score for r in reasons if r.signal is not None)
    floors = [rule.minimum_decision for rule in rules if rule.minimum_decision is not None]
    floor = max(floors, key=lambda d: d.value, default=None)
    decision = thresholds.decision_for(score, floor)
    if any(hit.access_list is AccessList.DENY for hit in lists):
        return Decision.BLOCK, score
    if lists:
        return Decision.ALLOW, score
    return decision, score


def _redeem(decision: Decision, token: PassTokenStatus) -> Decision:
    if decision is Decision.CHALLENGE and token is PassTokenStatus.REDEEMED:
        return Decision.ALLOW
    return decision


def score_attempt(
    plan: SignalPlan,
    observed: Sequence[float],
    lists: Sequence[ListHit],
    token: PassTokenStatus,
    thresholds: ScoreThresholds,
    global_shadow: bool,
    caller_mode: EnforcementMode,
) -> Verdict:
    """The verdict on one attempt; `observed[i]` is the value of `plan.probes[i]`."""
    fired = [c for c in plan.checks if c.rule.fires(observed[c.probe])]
    reasons = [
        _reason(c, plan.probes[c.probe].key, observed[c.probe], global_shadow) for c in fired
    ]
    live = [r for r, c in zip(reasons, fired, strict=True) if not r.shadow]
    live_rules = [c.rule for r, c in zip(reasons, fired, strict=True) if not r.shadow]
    live_lists = [] if global_shadow else list(lists)
    decision, score = _decide(live, live_rules, thresholds, live_lists)
    shadow_decision, shadow_score = _decide(reasons, [c.rule for c in fired], thresholds, lists)
    enforcement = EnforcementMode.ENFORCE
    if global_shadow or caller_mode is EnforcementMode.SHADOW:
        enforcement = EnforcementMode.SHADOW
    final = _redeem(decision, token) if enforcement is EnforcementMode.ENFORCE else Decision.ALLOW
    all_reasons = tuple(reasons) + tuple(_list_reason(hit, global_shadow) for hit in lists)
    return Verdict(
        final, score, _redeem(shadow_decision, token), shadow_score, all_reasons, enforcement
    )
