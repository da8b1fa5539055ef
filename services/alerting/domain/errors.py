"""Alerting's domain errors. Each carries the ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from services.kernel.refusals import FieldRefusal, Refusal


class AlertingError(Refusal):
    """Base of every refusal the domain can explain to a caller."""


class InvalidArgument(FieldRefusal, AlertingError):
    """A field is missing, malformed or out of range; metadata `field` names it."""


class RequestIdReused(AlertingError):
    reason = "REQUEST_ID_REUSED"


class PlanNotFound(AlertingError):
    reason = "PLAN_NOT_FOUND"


class PlanAlreadyEnded(AlertingError):
    reason = "PLAN_ALREADY_ENDED"


class PlanAlreadyStarted(AlertingError):
    reason = "PLAN_ALREADY_STARTED"


class PlanOverlaps(AlertingError):
    reason = "PLAN_OVERLAPS"


class AlertPolicyNotFound(AlertingError):
    reason = "ALERT_POLICY_NOT_FOUND"


class ReceiverNotFound(AlertingError):
    reason = "RECEIVER_NOT_FOUND"


class SecretRefUnknown(AlertingError):
    reason = "SECRET_REF_UNKNOWN"


class AlertNotFound(AlertingError):
    reason = "ALERT_NOT_FOUND"


class AlertAlreadyAcknowledged(AlertingError):
    reason = "ALERT_ALREADY_ACKNOWLEDGED"


class NoLiveSessionPlan(AlertingError):
    reason = "NO_LIVE_SESSION_PLAN"


class WatchSequenceExpired(AlertingError):
    reason = "WATCH_SEQUENCE_EXPIRED"
