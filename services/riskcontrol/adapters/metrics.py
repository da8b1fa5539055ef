"""Prometheus metrics per rule: hits, shadow hits and the blocks and challenges rules caused."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter
from prometheus_client.registry import Collector

from services.riskcontrol.domain.records import DecisionRecord


class RuleMetrics:
    """Unregistered counters; the host registers them in its per-server registry."""

    def __init__(self) -> None:
        registry = None
        self.hits = Counter(
            "streamstock_risk_rule_hits",
            "Enforced rule hits, by rule.",
            ["rule_id"],
            registry=registry,
        )
        self.shadow_hits = Counter(
            "streamstock_risk_rule_shadow_hits", "Rule hits in shadow mode, by rule.", ["rule_id"],
            registry=registry,
        )  # fmt: skip
        self.blocks = Counter(
            "streamstock_risk_rule_refusals",
            "Attempts refused (BLOCK or CHALLENGE) with the rule among the reasons.",
            ["rule_id", "decision"],
            registry=registry,
        )
        self.decisions = Counter(
            "streamstock_risk_decisions",
            "Decisions, by decision applied, shadow decision and enforcement.",
            ["decision", "shadow_decision", "enforcement"],
            registry=registry,
        )

        # labels() takes a lock and validates the values on every call: children are kept here.
        self._children: dict[tuple[Counter, tuple[str, ...]], Any] = {}

    def _child(self, counter: Counter, *values: str) -> Any:
        child = self._children.get((counter, values))
        if child is None:
            child = self._children[(counter, values)] = counter.labels(*values)
        return child

    def collectors(self) -> list[Collector]:
        return [self.hits, self.shadow_hits, self.blocks, self.decisions]

    def observe(self, record: DecisionRecord) -> None:
        verdict = record.verdict
        decision = verdict.decision.name
        self._child(
            self.decisions, decision, verdict.shadow_decision.name, verdict.enforcement.name
        ).inc()
        for reason in verdict.reasons:
            if reason.shadow:
                self._child(self.shadow_hits, reason.rule_id).inc()
                continue
            self._child(self.hits, reason.rule_id).inc()
            if decision != "ALLOW":
                self._child(self.blocks, reason.rule_id, decision).inc()
