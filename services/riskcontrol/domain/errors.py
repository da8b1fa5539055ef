"""riskcontrol's domain errors. Each carries the ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from services.kernel.refusals import FieldRefusal, Refusal


class RiskControlError(Refusal):
    """Base of every refusal the domain can explain to a caller."""


class InvalidArgument(FieldRefusal, RiskControlError):
    """A field is missing, malformed or out of range; metadata `field` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.field = field
        self.problem = problem

    def within(self, parent: str) -> InvalidArgument:
        """The same problem with the field named by its path under `parent` (an element of a
        batch, for example `requests[3]`)."""
        return InvalidArgument(f"{parent}.{self.field}", self.problem)


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
