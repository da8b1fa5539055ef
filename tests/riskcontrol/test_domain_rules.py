"""Rules documents: every violation names its line; valid documents round-trip (property tests)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from services.riskcontrol.adapters.rules_yaml import YamlRulesParser
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.rules import SIGNAL_LEVELS, RulesInvalid, Signal, parse_duration

PARSER = YamlRulesParser()
WINDOWS = ["30s", "10m", "2h", "1d", "500ms"]

rule_strategy = st.sampled_from(sorted(SIGNAL_LEVELS, key=lambda s: s.value)).flatmap(
    lambda signal: st.fixed_dictionaries(
        {
            "signal": st.just(signal.name.lower()),
            "key": st.sampled_from(sorted(level.name.lower() for level in SIGNAL_LEVELS[signal])),
            "window": st.sampled_from(WINDOWS),
            "threshold": st.integers(0, 1000),
            "score": st.integers(0, 200),
            "shadow": st.booleans(),
        }
    )
)


def document(rules: list[dict[str, object]]) -> str:
    numbered = [{"id": f"rule-{i}", **r} for i, r in enumerate(rules)]
    return yaml.safe_dump(
        {"thresholds": {"challenge": 50, "block": 100}, "rules": numbered}, sort_keys=False
    )


@given(st.lists(rule_strategy, max_size=8))
def test_a_valid_document_round_trips(rules: list[dict[str, object]]) -> None:
    rule_set = PARSER.parse(document(rules), "test")

    assert [r.rule_id for r in rule_set.rules] == [f"rule-{i}" for i in range(len(rules))]
    for parsed, given_rule in zip(rule_set.rules, rules, strict=True):
        assert parsed.signal is Signal[str(given_rule["signal"]).upper()]
        assert parsed.key_level is KeyLevel[str(given_rule["key"]).upper()]
        assert parsed.window == parse_duration(str(given_rule["window"]))
        assert (parsed.threshold, parsed.score, parsed.shadow) == (
            given_rule["threshold"], given_rule["score"], given_rule["shadow"],
        )  # fmt: skip


BAD_VALUES = {
    "signal": "telepathy",
    "key": "galaxy",
    "window": "forever",
    "threshold": -1,
    "score": "lots",
    "shadow": "maybe",
}


@given(st.lists(rule_strategy, min_size=1, max_size=6), st.data())
def test_any_bad_field_is_reported_at_its_own_line(
    rules: list[dict[str, object]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(rules) - 1))
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    rules[index] = {**rules[index], field: BAD_VALUES[field]}
    text = document(rules)
    lines = text.splitlines()
    rule_line = lines.index(f"- id: rule-{index}")
    expected = (
        next(n for n in range(rule_line, len(lines)) if lines[n].lstrip().startswith(f"{field}:"))
        + 1
    )

    with pytest.raises(RulesInvalid) as invalid:
        PARSER.parse(text, "test")

    assert [(v.line, v.path) for v in invalid.value.violations] == [
        (expected, f"rules[{index}].{field}")
    ]


@pytest.mark.parametrize(
    ("text", "line", "path"),
    [
        ("thresholds: {challenge: 50, block: 100}\nrules: []\nshadows: true\n", 3, "shadows"),
        ("thresholds: {challenge: 90, block: 10}\nrules: []\n", 1, "thresholds.block"),
        ("rules: []\n", 1, "thresholds"),
        (
            "thresholds: {challenge: 50, block: 100}\nrules:\n  - id: a\n    signal: unpaid_expiries\n"
            "    key: sku\n    window: 1h\n    threshold: 1\n    score: 1\n",
            5,
            "rules[0].key",
        ),
        (
            "thresholds: {challenge: 50, block: 100}\nrules:\n  - {id: a, signal: attempt_velocity, key: user,"
            " window: 1m, threshold: 1, score: 1}\n  - {id: a, signal: attempt_velocity, key: user,"
            " window: 1m, threshold: 1, score: 1}\n",
            4,
            "rules[1].id",
        ),
        ("thresholds:\n  challenge: 50\n  block: [100\n", 4, ""),
    ],
)
def test_document_level_violations_point_at_their_line(text: str, line: int, path: str) -> None:
    with pytest.raises(RulesInvalid) as invalid:
        PARSER.parse(text, "test")

    assert (invalid.value.violations[0].line, invalid.value.violations[0].path) == (line, path)


def test_the_default_rules_are_valid() -> None:
    from services.riskcontrol.settings import DEFAULT_RULES_FILE

    rule_set = PARSER.parse(DEFAULT_RULES_FILE.read_text(), str(DEFAULT_RULES_FILE))

    assert {r.signal for r in rule_set.rules} >= {
        Signal.PURCHASE_LIMIT_RATIO, Signal.DISTINCT_ACCOUNTS, Signal.UNPAID_EXPIRIES,
        Signal.PAYMENT_FAILURES, Signal.ATTEMPT_VELOCITY,
    }  # fmt: skip
