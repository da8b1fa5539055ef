"""Unit and property tests of scoring and the signal plan (pure domain, no I/O)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine, EnforcementMode
from services.riskcontrol.domain.keys import Identity, KeyLevel
from services.riskcontrol.domain.rules import (
    Decision,
    LockStage,
    Rule,
    RuleSet,
    ScoreThresholds,
    Signal,
)
from services.riskcontrol.domain.scoring import AccessList, ListHit, PassTokenStatus, score_attempt
from services.riskcontrol.domain.signals import ProbeKind, plan_signals

THRESHOLDS = ScoreThresholds(50, 100)
IDENTITY = Identity("u1", "o1", "iphash", "devhash")
ENFORCE, SHADOW = EnforcementMode.ENFORCE, EnforcementMode.SHADOW


def rule(rule_id: str, score: float, *, level: KeyLevel = KeyLevel.USER, floor: Decision | None = None,
         shadow: bool = False, signal: Signal = Signal.ATTEMPT_VELOCITY, threshold: float = 1) -> Rule:  # fmt: skip
    return Rule(rule_id, signal, level, timedelta(minutes=1), threshold, score, "", floor, shadow)


def attempt(*lines: AttemptLine, kind: AttemptKind = AttemptKind.HOLD) -> Attempt:
    return Attempt(
        "t", "r1", kind, lines or (AttemptLine("s1", 1, 0, 2),), LockStage.CART, "u1", "o1"
    )


def verdict(rules: list[Rule], observed: list[float], *, lists: tuple[ListHit, ...] = (),
            token: PassTokenStatus = PassTokenStatus.ABSENT, global_shadow: bool = False,
            mode: EnforcementMode = ENFORCE):  # type: ignore[no-untyped-def]  # fmt: skip
    plan = plan_signals(RuleSet("v", "s", tuple(rules), THRESHOLDS), attempt(), IDENTITY, "a1")
    values = [0.0] * len(plan.probes)
    for check, value in zip(plan.checks, observed, strict=True):
        values[check.probe] = value
    return score_attempt(plan, values, lists, token, THRESHOLDS, global_shadow, mode)


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_a_higher_score_never_gives_a_milder_decision(low: float, extra: float) -> None:
    assert (
        THRESHOLDS.decision_for(low + extra, None).value >= THRESHOLDS.decision_for(low, None).value
    )


@given(st.floats(0, 1000), st.sampled_from([None, Decision.CHALLENGE, Decision.BLOCK]))
def test_a_minimum_decision_is_a_floor(score: float, floor: Decision | None) -> None:
    decision = THRESHOLDS.decision_for(score, floor)
    assert decision.value >= (floor.value if floor else 1)
    assert decision.value >= THRESHOLDS.decision_for(score, None).value


def test_fired_rules_add_their_scores_and_map_to_a_decision() -> None:
    result = verdict([rule("a", 30), rule("b", 30, level=KeyLevel.DEVICE)], [2, 2])

    assert result.decision is Decision.CHALLENGE and result.score == 60
    assert {r.rule_id for r in result.reasons} == {"a", "b"}
    assert result.rejected_keys == {"user:u1", "device#devhash"}


def test_a_rule_fires_only_above_its_threshold() -> None:
    assert verdict([rule("a", 100)], [1]).decision is Decision.ALLOW
    assert verdict([rule("a", 100)], [1.01]).decision is Decision.BLOCK


@given(st.lists(st.tuples(st.floats(0, 80), st.booleans()), min_size=1, max_size=6))
def test_shadow_rules_count_only_in_the_shadow_score(rules: list[tuple[float, bool]]) -> None:
    built = [rule(f"r{i}", score, level=list(KeyLevel)[i % 9], shadow=shadow)
             for i, (score, shadow) in enumerate(rules)]  # fmt: skip
    result = verdict(built, [5.0] * len(built))
    fired = [
        r for r in built if result.reasons and any(x.rule_id == r.rule_id for x in result.reasons)
    ]

    assert result.score == sum(r.score for r in fired if not r.shadow)
    assert result.shadow_score == sum(r.score for r in fired)
    assert result.shadow_decision.value >= result.decision.value


def test_global_shadow_and_caller_shadow_allow_and_keep_the_real_verdict() -> None:
    for result in (
        verdict([rule("a", 100)], [5], global_shadow=True),
        verdict([rule("a", 100)], [5], mode=SHADOW),
    ):
        assert result.decision is Decision.ALLOW and result.shadow_decision is Decision.BLOCK
        assert result.enforcement is SHADOW and result.rejected_keys == frozenset()


def test_deny_wins_over_allow_and_allow_wins_over_score() -> None:
    deny = ListHit(AccessList.DENY, KeyLevel.DEVICE, "device#devhash", "e1")
    allow = ListHit(AccessList.ALLOW, KeyLevel.USER, "user:u1", "e2")

    assert verdict([rule("a", 100)], [5], lists=(allow,)).decision is Decision.ALLOW
    assert verdict([], [], lists=(allow, deny)).decision is Decision.BLOCK


def test_a_redeemed_token_lifts_a_challenge_but_not_a_block() -> None:
    redeemed = PassTokenStatus.REDEEMED
    assert verdict([rule("a", 60)], [5], token=redeemed).decision is Decision.ALLOW
    assert verdict([rule("a", 100)], [5], token=redeemed).decision is Decision.BLOCK


def test_the_plan_shares_probes_and_keys_sku_levels_per_line() -> None:
    rules = (rule("a", 1), rule("b", 2), rule("c", 1, level=KeyLevel.SKU),
             rule("d", 1, level=KeyLevel.USER_SKU, signal=Signal.PURCHASE_LIMIT_RATIO))  # fmt: skip
    two_lines = attempt(AttemptLine("s1", 1, 0, 2), AttemptLine("s2", 3, 0, 0))

    plan = plan_signals(RuleSet("v", "s", rules, THRESHOLDS), two_lines, IDENTITY, "a1")

    keys = [p.key for p in plan.probes]
    assert keys.count("user:u1") == 1, "rules a and b share one probe"
    assert {"sku:s1", "sku:s2"} <= set(keys)
    limits = [p for p in plan.probes if p.kind is ProbeKind.LIMIT]
    assert [(p.key, p.amount, p.limit) for p in limits] == [("sku:s1|user:u1", 1, 2)], (
        "no limit, no probe"
    )


def test_a_resize_counts_its_growth_over_the_hold_and_a_cart_edit() -> None:
    rules = (rule("d", 1, level=KeyLevel.USER_SKU, signal=Signal.PURCHASE_LIMIT_RATIO),
             rule("e", 1, level=KeyLevel.USER_SKU, signal=Signal.CART_EDITS))  # fmt: skip
    resize = dataclasses.replace(
        attempt(AttemptLine("s1", 3, 1, 2), kind=AttemptKind.RESIZE), reservation_id="r1"
    )

    limit, edits = plan_signals(RuleSet("v", "s", rules, THRESHOLDS), resize, IDENTITY, "a1").probes

    assert (limit.amount, limit.previous, limit.member) == (3, 1, "h:r1")
    assert edits.write and edits.kind is ProbeKind.COUNT


def test_a_missing_device_skips_device_keys() -> None:
    no_device = Identity("u1", "o1", "iphash", "")
    plan = plan_signals(
        RuleSet("v", "s", (rule("a", 1, level=KeyLevel.DEVICE),), THRESHOLDS),
        attempt(),
        no_device,
        "a1",
    )

    assert plan.probes == ()
    assert all("device#" not in key for _, key in plan.list_keys)
