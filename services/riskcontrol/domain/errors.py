"""riskcontrol's domain errors. Each carries the ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class RiskControlError(Exception):
    """Base of every refusal the domain can explain to a caller."""

    reason: ClassVar[str] = "INVALID_ARGUMENT"

    def __init__(self, message: str, **metadata: object) -> None:
        super().__init__(message)
        self._metadata = {key: str(value) for key, value in metadata.items()}

    @property
    def metadata(self) -> Mapping[str, str]:
        return self._metadata


class InvalidArgument(RiskControlError):
    """A field is missing, malformed or out of range."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", field=field)


class RequestIdReused(RiskControlError):
    reason = "REQUEST_ID_REUSED"


class SignalStoreUnavailable(RiskControlError):
    reason = "SIGNAL_STORE_UNAVAILABLE"


class RulesUnavailable(RiskControlError):
    reason = "RULES_UNAVAILABLE"


class DecisionNotFound(RiskControlError):
    reason = "DECISION_NOT_FOUND"


class ChallengeNotFound(RiskControlError):
    reason = "CHALLENGE_NOT_FOUND"


class ChallengeExpired(RiskControlError):
    reason = "CHALLENGE_EXPIRED"


class ChallengeAlreadyCompleted(RiskControlError):
    reason = "CHALLENGE_ALREADY_COMPLETED"


class AccessListEntryNotFound(RiskControlError):
    reason = "ACCESS_LIST_ENTRY_NOT_FOUND"


class AccessListConflict(RiskControlError):
    reason = "ACCESS_LIST_CONFLICT"


class OutcomeDecisionMismatch(RiskControlError):
    reason = "OUTCOME_DECISION_MISMATCH"
