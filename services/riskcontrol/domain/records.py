"""What riskcontrol keeps for the audit and for operators: decisions, challenges, list entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from services.riskcontrol.domain.attempt import Attempt
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.rules import Decision
from services.riskcontrol.domain.scoring import AccessList, PassTokenStatus, Verdict


class ChallengeKind(Enum):
    CAPTCHA = 1
    SMS_CODE = 2


class ChallengeState(Enum):
    PENDING = 1
    PASSED = 2
    FAILED = 3
    EXPIRED = 4
    REDEEMED = 5


@dataclass(frozen=True)
class Challenge:
    challenge_id: str
    kind: ChallengeKind
    expire_time: datetime
    state: ChallengeState
    user_id: str
    sku_ids: tuple[str, ...]
    decision_id: str


def challenge_id_for(decision_id: str) -> str:
    """One challenge per decision, so a replayed assessment names the same challenge."""
    return f"ch_{decision_id}"


@dataclass(frozen=True)
class DecisionRecord:
    """The audit record of one assessment; ip and device only as keyed hashes."""

    decision_id: str
    attempt: Attempt
    assess_time: datetime
    ip_hash: str
    device_hash: str
    verdict: Verdict
    challenge: Challenge | None
    pass_token: PassTokenStatus
    rules_version: str

    @property
    def decision(self) -> Decision:
        return self.verdict.decision


@dataclass(frozen=True)
class AccessListEntry:
    entry_id: str
    access_list: AccessList
    key_level: KeyLevel
    key: str
    expire_time: datetime
    note: str
    created_by: str
    update_time: datetime


class ShadowOverride(Enum):
    NONE = 1
    FORCE_SHADOW = 2
    FORCE_ENFORCE = 3


@dataclass(frozen=True)
class ShadowSetting:
    """A tenant's RPC override of the document's global shadow switch."""

    override: ShadowOverride = ShadowOverride.NONE
    reason: str = ""
    update_time: datetime | None = None

    def enabled(self, document_shadow: bool) -> bool:
        if self.override is ShadowOverride.FORCE_SHADOW:
            return True
        if self.override is ShadowOverride.FORCE_ENFORCE:
            return False
        return document_shadow


class OutcomeKind(Enum):
    PAID = 1
    PAYMENT_FAILED = 2
    CHARGEBACK = 3
    REFUNDED = 4
    CONFIRMED_ABUSE = 5
    CONFIRMED_GENUINE = 6
