"""The rules document: declarative rules, score thresholds and the global shadow switch.

A document is parsed from a `Node` tree that carries the line and column of every element (the
adapter builds it from YAML), so every violation points at the line an operator must fix. Parsing
collects every violation instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from functools import cached_property

from services.riskcontrol.domain.keys import KeyLevel


class Decision(Enum):
    """Mirrors riskcontrol.v1.Decision; ordered from mildest to harshest."""

    ALLOW = 1
    CHALLENGE = 2
    BLOCK = 3


class LockStage(Enum):
    CART = 1
    ORDER = 2
    PAYMENT = 3


class Signal(Enum):
    """Mirrors riskcontrol.v1.RiskSignal (the list signals are applied without rules)."""

    ATTEMPT_VELOCITY = 1
    QUANTITY_VELOCITY = 2
    DISTINCT_ACCOUNTS = 3
    UNPAID_EXPIRIES = 4
    PURCHASE_LIMIT_RATIO = 5
    PAYMENT_FAILURES = 6
    CHARGEBACKS = 7
    CART_EDITS = 8
    CHALLENGE_FAILURES = 9


_ANY_LEVEL = frozenset(KeyLevel)
_IDENTITY = frozenset({KeyLevel.USER, KeyLevel.IP, KeyLevel.DEVICE, KeyLevel.USER_SKU})
# The levels on which each signal is counted; a rule on another level could never fire.
SIGNAL_LEVELS: Mapping[Signal, frozenset[KeyLevel]] = {
    Signal.ATTEMPT_VELOCITY: _ANY_LEVEL,
    Signal.QUANTITY_VELOCITY: _ANY_LEVEL,
    Signal.DISTINCT_ACCOUNTS: frozenset(level for level in KeyLevel if not level.has_user),
    Signal.UNPAID_EXPIRIES: _IDENTITY,
    Signal.PURCHASE_LIMIT_RATIO: frozenset({KeyLevel.USER_SKU}),
    Signal.PAYMENT_FAILURES: _IDENTITY,
    Signal.CHARGEBACKS: _IDENTITY,
    Signal.CART_EDITS: _ANY_LEVEL,
    Signal.CHALLENGE_FAILURES: _IDENTITY,
}
MAX_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Rule:
    """When `signal` on a key of `key_level` is greater than `threshold`, add `score`."""

    rule_id: str
    signal: Signal
    key_level: KeyLevel
    window: timedelta
    threshold: float
    score: float
    description: str = ""
    minimum_decision: Decision | None = None
    shadow: bool = False
    lock_stages: frozenset[LockStage] = frozenset()

    def applies_to(self, stage: LockStage) -> bool:
        return not self.lock_stages or stage in self.lock_stages

    def fires(self, observed: float) -> bool:
        return observed > self.threshold


@dataclass(frozen=True)
class ScoreThresholds:
    challenge_score: float
    block_score: float

    def decision_for(self, score: float, floor: Decision | None) -> Decision:
        by_score = Decision.ALLOW
        if score >= self.block_score:
            by_score = Decision.BLOCK
        elif score >= self.challenge_score:
            by_score = Decision.CHALLENGE
        if floor is not None and floor.value > by_score.value:
            return floor
        return by_score


@dataclass(frozen=True)
class RuleSet:
    version: str
    source: str
    rules: tuple[Rule, ...]
    thresholds: ScoreThresholds
    shadow: bool = False

    @cached_property
    def memo(self) -> dict[str, object]:
        """Values derived once per rule set by the planners of the Assess path."""
        return {}

    def rules_for(self, stage: LockStage) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.applies_to(stage))

    def retention(self, signal: Signal, level: KeyLevel) -> timedelta:
        """How long a counter must keep entries: the longest window any rule reads on it."""
        windows = [r.window for r in self.rules if r.signal is signal and r.key_level is level]
        return max(windows, default=timedelta(0))


@dataclass(frozen=True)
class Node:
    """One element of a parsed document with its 1-based position. `value` is a scalar, a list of
    nodes or a dict of nodes by key."""

    value: object
    line: int
    column: int


@dataclass(frozen=True)
class Violation:
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.path}: {self.message}"


class RulesInvalid(ValueError):
    """The document has violations; the rule set in force is unchanged."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        super().__init__("; ".join(str(v) for v in violations))
        self.violations = tuple(violations)


_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNIT = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DOCUMENT_FIELDS = {"shadow", "thresholds", "rules"}
_RULE_FIELDS = {
    "id", "description", "signal", "key", "window", "threshold", "score",
    "minimum_decision", "shadow", "stages",
}  # fmt: skip


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    return timedelta(**{_UNIT[match[2]]: int(match[1])})


def _enum_names(enum: type[Enum]) -> str:
    return ", ".join(member.name.lower() for member in enum)


@dataclass
class _Parser:
    violations: list[Violation] = field(default_factory=list)

    def fail(self, node: Node, path: str, message: str) -> None:
        self.violations.append(Violation(node.line, node.column, path, message))

    def mapping(self, node: Node, path: str, allowed: set[str]) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.fail(node, path, "must be a mapping")
            return None
        for key, child in node.value.items():
            if key not in allowed:
                self.fail(
                    child,
                    f"{path}.{key}".lstrip("."),
                    f"unknown field; expected one of {', '.join(sorted(allowed))}",
                )
        return node.value

    def number(self, node: Node, path: str) -> float | None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(node, path, "must be a number at least 0")
            return None
        return float(value)

    def boolean(self, node: Node | None, path: str) -> bool:
        if node is None:
            return False
        if not isinstance(node.value, bool):
            self.fail(node, path, "must be true or false")
            return False
        return node.value

    def text(self, node: Node, path: str) -> str | None:
        if not isinstance(node.value, str) or not node.value:
            self.fail(node, path, "must be a non-empty string")
            return None
        return node.value

    def member(self, enum: type[Enum], node: Node, path: str) -> Enum | None:
        text = self.text(node, path)
        if text is None:
            return None
        try:
            return enum[text.upper()]
        except KeyError:
            self.fail(node, path, f"unknown value {text!r}; expected one of {_enum_names(enum)}")
            return None

    def required(self, fields: dict[str, Node], name: str, owner: Node, path: str) -> Node | None:
        if name not in fields:
            self.fail(owner, path, f"missing required field {name!r}")
            return None
        return fields[name]


def parse_rule_set(document: Node, version: str, source: str) -> RuleSet:
    """The rule set of a document, or RulesInvalid listing every violation in document order."""
    parser = _Parser()
    fields = parser.mapping(document, "", _DOCUMENT_FIELDS)
    if fields is None:
        raise RulesInvalid(parser.violations)
    shadow = parser.boolean(fields.get("shadow"), "shadow")
    thresholds = _thresholds(parser, fields, document)
    rules = _rules(parser, fields, document)
    if parser.violations or thresholds is None:
        raise RulesInvalid(sorted(parser.violations, key=lambda v: (v.line, v.column)))
    return RuleSet(version, source, tuple(rules), thresholds, shadow)


def _thresholds(parser: _Parser, fields: dict[str, Node], document: Node) -> ScoreThresholds | None:
    node = parser.required(fields, "thresholds", document, "thresholds")
    if node is None:
        return None
    values = parser.mapping(node, "thresholds", {"challenge", "block"})
    if values is None:
        return None
    challenge_node = parser.required(values, "challenge", node, "thresholds")
    block_node = parser.required(values, "block", node, "thresholds")
    if challenge_node is None or block_node is None:
        return None
    challenge = parser.number(challenge_node, "thresholds.challenge")
    block = parser.number(block_node, "thresholds.block")
    if challenge is None or block is None:
        return None
    if challenge <= 0 or block < challenge:
        parser.fail(block_node, "thresholds.block", "thresholds need 0 < challenge <= block")
        return None
    return ScoreThresholds(challenge, block)


def _rules(parser: _Parser, fields: dict[str, Node], document: Node) -> list[Rule]:
    node = parser.required(fields, "rules", document, "rules")
    if node is None:
        return []
    if not isinstance(node.value, list):
        parser.fail(node, "rules", "must be a list")
        return []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, rule_node in enumerate(node.value):
        rule = _rule(parser, rule_node, f"rules[{index}]")
        if rule is None:
            continue
        if rule.rule_id in seen:
            parser.fail(rule_node, f"rules[{index}].id", f"duplicate rule id {rule.rule_id!r}")
            continue
        seen.add(rule.rule_id)
        rules.append(rule)
    return rules


def _rule(parser: _Parser, node: Node, path: str) -> Rule | None:
    fields = parser.mapping(node, path, _RULE_FIELDS)
    if fields is None:
        return None
    before = len(parser.violations)
    rule_id = _rule_id(parser, fields, node, path)
    signal = _field(parser, fields, node, path, "signal", Signal)
    level = _field(parser, fields, node, path, "key", KeyLevel)
    window = _window(parser, fields, node, path)
    threshold = _number_field(parser, fields, node, path, "threshold")
    score = _number_field(parser, fields, node, path, "score")
    floor = _minimum_decision(parser, fields, path)
    stages = _stages(parser, fields, path)
    shadow = parser.boolean(fields.get("shadow"), f"{path}.shadow")
    description = fields["description"].value if "description" in fields else ""
    if (
        isinstance(signal, Signal)
        and isinstance(level, KeyLevel)
        and level not in SIGNAL_LEVELS[signal]
    ):
        allowed = ", ".join(sorted(lv.name.lower() for lv in SIGNAL_LEVELS[signal]))
        parser.fail(
            fields["key"],
            f"{path}.key",
            f"signal {signal.name.lower()} is counted only on: {allowed}",
        )
    if len(parser.violations) > before:
        return None
    assert isinstance(signal, Signal) and isinstance(level, KeyLevel)
    assert (
        rule_id is not None and window is not None and threshold is not None and score is not None
    )
    return Rule(
        rule_id, signal, level, window, threshold, score, str(description), floor, shadow, stages
    )


def _rule_id(parser: _Parser, fields: dict[str, Node], node: Node, path: str) -> str | None:
    id_node = parser.required(fields, "id", node, path)
    if id_node is None:
        return None
    text = parser.text(id_node, f"{path}.id")
    if text is not None and not _RULE_ID.fullmatch(text):
        parser.fail(id_node, f"{path}.id", "must be 1-64 of [a-z0-9_.-], starting alphanumeric")
        return None
    return text


def _field(
    parser: _Parser, fields: dict[str, Node], node: Node, path: str, name: str, enum: type[Enum]
) -> Enum | None:
    child = parser.required(fields, name, node, path)
    return None if child is None else parser.member(enum, child, f"{path}.{name}")


def _number_field(
    parser: _Parser, fields: dict[str, Node], node: Node, path: str, name: str
) -> float | None:
    child = parser.required(fields, name, node, path)
    return None if child is None else parser.number(child, f"{path}.{name}")


def _window(parser: _Parser, fields: dict[str, Node], node: Node, path: str) -> timedelta | None:
    child = parser.required(fields, "window", node, path)
    if child is None:
        return None
    window = parse_duration(child.value) if isinstance(child.value, str) else None
    if window is None or window <= timedelta(0) or window > MAX_WINDOW:
        parser.fail(
            child, f"{path}.window", "must be a duration like 30s, 10m, 2h or 1d, at most 7d"
        )
        return None
    return window


def _minimum_decision(parser: _Parser, fields: dict[str, Node], path: str) -> Decision | None:
    child = fields.get("minimum_decision")
    if child is None:
        return None
    decision = parser.member(Decision, child, f"{path}.minimum_decision")
    if decision is Decision.ALLOW:
        parser.fail(child, f"{path}.minimum_decision", "must be challenge or block")
        return None
    return decision if isinstance(decision, Decision) else None


def _stages(parser: _Parser, fields: dict[str, Node], path: str) -> frozenset[LockStage]:
    child = fields.get("stages")
    if child is None:
        return frozenset()
    if not isinstance(child.value, list):
        parser.fail(child, f"{path}.stages", "must be a list of lock stages")
        return frozenset()
    stages = [parser.member(LockStage, s, f"{path}.stages[{i}]") for i, s in enumerate(child.value)]
    return frozenset(s for s in stages if isinstance(s, LockStage))
