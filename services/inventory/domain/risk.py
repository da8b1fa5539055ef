"""What a SKU's sale policy asks of the risk check, and what inventory does with its answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from services.inventory.domain.errors import RiskBlocked, RiskChallengeRequired, RiskUnavailable
from services.inventory.domain.policy import RiskFailMode, RiskMode, SalePolicy


class RiskDecision(Enum):
    ALLOW = 1
    CHALLENGE = 2
    BLOCK = 3


@dataclass(frozen=True)
class RiskVerdict:
    """riskcontrol's answer: the decision to apply (ALLOW when it only watched)."""

    decision_id: str
    decision: RiskDecision
    rule_ids: tuple[str, ...] = ()
    challenge_id: str = ""


@dataclass(frozen=True)
class RiskCheck:
    """How one attempt is checked: the strictest of its SKUs' policies."""

    mode: RiskMode
    fail_mode: RiskFailMode
    deadline: timedelta

    @classmethod
    def of(cls, policies: Sequence[SalePolicy]) -> RiskCheck:
        if all(p.risk_mode is RiskMode.OFF for p in policies):
            return _NOT_WANTED  # most holds: answered without building a check
        modes = {p.risk_mode for p in policies}
        mode = next((m for m in (RiskMode.ENFORCE, RiskMode.SHADOW) if m in modes), RiskMode.OFF)
        closed = any(
            p.risk_fail_mode is RiskFailMode.CLOSED
            for p in policies
            if p.risk_mode is not RiskMode.OFF
        )
        deadlines = [p.effective_risk_deadline for p in policies if p.risk_mode is not RiskMode.OFF]
        return cls(
            mode,
            RiskFailMode.CLOSED if closed else RiskFailMode.OPEN,
            min(deadlines, default=timedelta(0)),
        )

    @property
    def wanted(self) -> bool:
        return self.mode is not RiskMode.OFF

    def apply(self, verdict: RiskVerdict) -> str:
        """The decision id to record on the hold, or the refusal to raise."""
        if self.mode is RiskMode.ENFORCE and verdict.decision is RiskDecision.BLOCK:
            raise RiskBlocked(
                "riskcontrol blocked this attempt",
                decision_id=verdict.decision_id,
                rules=",".join(verdict.rule_ids),
            )
        if self.mode is RiskMode.ENFORCE and verdict.decision is RiskDecision.CHALLENGE:
            raise RiskChallengeRequired(
                "the buyer must pass a challenge first",
                decision_id=verdict.decision_id,
                challenge_id=verdict.challenge_id,
            )
        return verdict.decision_id

    def unanswered(self) -> str:
        """riskcontrol did not answer in time: fail open (no decision) or closed."""
        if self.mode is RiskMode.ENFORCE and self.fail_mode is RiskFailMode.CLOSED:
            raise RiskUnavailable("riskcontrol did not answer in time and the SKU fails closed")
        return ""


_NOT_WANTED = RiskCheck(RiskMode.OFF, RiskFailMode.OPEN, timedelta(0))
