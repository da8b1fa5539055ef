"""One table from domain error reasons to gRPC status codes, and the rich status built from them.

A domain error is any exception with a `reason` (an UPPER_SNAKE value of the service's
`ErrorReason` enum without its prefix) and `metadata` (the dynamic values). Domain packages define
their own errors with the standard library only; this module is the single place that turns them
into `google.rpc.Status` + `ErrorInfo` (AIP-193), plus a `BadRequest` for invalid fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

Code = grpc.StatusCode

# Reasons every service may return; the runtime itself raises the auth ones.
SHARED_REASONS: Mapping[str, Code] = {
    "INVALID_ARGUMENT": Code.INVALID_ARGUMENT,
    "REQUEST_ID_REUSED": Code.ALREADY_EXISTS,
    "API_KEY_MISSING": Code.UNAUTHENTICATED,
    "API_KEY_UNKNOWN": Code.UNAUTHENTICATED,
    "TENANT_MISMATCH": Code.PERMISSION_DENIED,
    "ROLE_NOT_ALLOWED": Code.PERMISSION_DENIED,
    "STORAGE_UNAVAILABLE": Code.UNAVAILABLE,
}

STATUS_CODE_BY_REASON: Mapping[str, Code] = {
    **SHARED_REASONS,
    # inventory
    "SKU_NOT_FOUND": Code.NOT_FOUND,
    "SKU_ALREADY_EXISTS": Code.ALREADY_EXISTS,
    "RESERVATION_NOT_FOUND": Code.NOT_FOUND,
    "INSUFFICIENT_STOCK": Code.FAILED_PRECONDITION,
    "PURCHASE_LIMIT_EXCEEDED": Code.FAILED_PRECONDITION,
    "MAX_PER_ORDER_EXCEEDED": Code.FAILED_PRECONDITION,
    "SALE_NOT_ACTIVE": Code.FAILED_PRECONDITION,
    "SALE_STATUS_CHANGED": Code.FAILED_PRECONDITION,
    "LOCK_STAGE_MISMATCH": Code.FAILED_PRECONDITION,
    "RESERVATION_EXPIRED": Code.FAILED_PRECONDITION,
    "RESERVATION_NOT_ACTIVE": Code.FAILED_PRECONDITION,
    "EXTENSION_NOT_ALLOWED": Code.FAILED_PRECONDITION,
    "WITHHELD_EXCEEDS_AVAILABLE": Code.FAILED_PRECONDITION,
    "ON_HAND_BELOW_COMMITTED": Code.FAILED_PRECONDITION,
    "RISK_BLOCKED": Code.PERMISSION_DENIED,
    "RISK_CHALLENGE_REQUIRED": Code.FAILED_PRECONDITION,
    "RISK_UNAVAILABLE": Code.UNAVAILABLE,
    "REQUEST_RACED": Code.ABORTED,
    "EVENTS_PRUNED": Code.OUT_OF_RANGE,
    # riskcontrol
    "SIGNAL_STORE_UNAVAILABLE": Code.UNAVAILABLE,
    "RULES_UNAVAILABLE": Code.UNAVAILABLE,
    "DECISION_NOT_FOUND": Code.NOT_FOUND,
    "CHALLENGE_NOT_FOUND": Code.NOT_FOUND,
    "CHALLENGE_EXPIRED": Code.FAILED_PRECONDITION,
    "CHALLENGE_ALREADY_COMPLETED": Code.FAILED_PRECONDITION,
    "ACCESS_LIST_ENTRY_NOT_FOUND": Code.NOT_FOUND,
    "ACCESS_LIST_CONFLICT": Code.FAILED_PRECONDITION,
    "OUTCOME_DECISION_MISMATCH": Code.FAILED_PRECONDITION,
    # alerting
    "PLAN_NOT_FOUND": Code.NOT_FOUND,
    "PLAN_ALREADY_ENDED": Code.FAILED_PRECONDITION,
    "PLAN_ALREADY_STARTED": Code.FAILED_PRECONDITION,
    "PLAN_OVERLAPS": Code.FAILED_PRECONDITION,
    "ALERT_POLICY_NOT_FOUND": Code.NOT_FOUND,
    "RECEIVER_NOT_FOUND": Code.NOT_FOUND,
    "SECRET_REF_UNKNOWN": Code.FAILED_PRECONDITION,
    "ALERT_NOT_FOUND": Code.NOT_FOUND,
    "ALERT_ALREADY_ACKNOWLEDGED": Code.FAILED_PRECONDITION,
    "NO_LIVE_SESSION_PLAN": Code.FAILED_PRECONDITION,
    "WATCH_SEQUENCE_EXPIRED": Code.OUT_OF_RANGE,
    # sync (the per-line sale outcomes are FAILED_PRECONDITION should one ever fail a call)
    "PLATFORM_NOT_FOUND": Code.NOT_FOUND,
    "PLATFORM_ALREADY_EXISTS": Code.ALREADY_EXISTS,
    "PLATFORM_NOT_QUOTA_MODE": Code.FAILED_PRECONDITION,
    "PLATFORM_HAS_QUOTAS": Code.FAILED_PRECONDITION,
    "CREDENTIALS_REF_UNKNOWN": Code.FAILED_PRECONDITION,
    "ALLOCATION_POLICY_NOT_FOUND": Code.NOT_FOUND,
    "ALLOCATION_PLATFORM_UNKNOWN": Code.FAILED_PRECONDITION,
    "QUOTA_NOT_FOUND": Code.NOT_FOUND,
    "LISTING_VERSION_UNKNOWN": Code.FAILED_PRECONDITION,
    "LISTED_QUANTITY_EXCEEDS_PUSH": Code.FAILED_PRECONDITION,
    "SKU_NOT_ALLOCATED": Code.FAILED_PRECONDITION,
    "QUOTA_EXCEEDED": Code.FAILED_PRECONDITION,
    "SALE_LINE_CONFLICT": Code.FAILED_PRECONDITION,
    "RETURN_EXCEEDS_SALE": Code.FAILED_PRECONDITION,
    "SALE_LINE_TOO_LATE": Code.FAILED_PRECONDITION,
    "RECONCILIATION_NOT_FOUND": Code.NOT_FOUND,
    "RECONCILIATION_IN_PROGRESS": Code.ABORTED,
    "INVENTORY_UNAVAILABLE": Code.UNAVAILABLE,
    # inventory and sync: a platform key bound to another platform than the one named
    "PLATFORM_MISMATCH": Code.PERMISSION_DENIED,
}


@runtime_checkable
class DomainError(Protocol):
    """What the runtime needs of a domain error."""

    reason: str

    @property
    def metadata(self) -> Mapping[str, str]: ...


def is_domain_error(error: BaseException) -> bool:
    """Whether an exception explains itself with a reason (cheaper than isinstance on the
    runtime-checkable protocol, which the refusal path would pay on every call)."""
    return isinstance(getattr(error, "reason", None), str) and hasattr(error, "metadata")


def status_code(reason: str) -> Code:
    """The gRPC code for a reason; a reason missing from the table is a bug, hence INTERNAL."""
    return STATUS_CODE_BY_REASON.get(reason, Code.INTERNAL)


def _packed(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def to_status(error: DomainError, domain: str) -> status_pb2.Status:
    """The google.rpc.Status for a domain error, with ErrorInfo and, for bad input, BadRequest.
    Identical refusals (a sold-out SKU refuses thousands of buyers alike) share one status."""
    metadata = tuple(sorted((key, str(value)) for key, value in error.metadata.items()))
    return _status(error.reason, domain, str(error), metadata)


def to_grpc_status(error: DomainError, domain: str) -> grpc.Status:
    """to_status in the form context.abort_with_status takes (also shared between refusals)."""
    metadata = tuple(sorted((key, str(value)) for key, value in error.metadata.items()))
    return _grpc_status(error.reason, domain, str(error), metadata)


@functools.lru_cache(maxsize=1024)
def _grpc_status(
    reason: str, domain: str, message: str, metadata: tuple[tuple[str, str], ...]
) -> grpc.Status:
    return rpc_status.to_status(_status(reason, domain, message, metadata))


@functools.lru_cache(maxsize=1024)
def _status(
    reason: str, domain: str, message: str, metadata: tuple[tuple[str, str], ...]
) -> status_pb2.Status:
    code = status_code(reason)
    fields = dict(metadata)
    details = [_packed(error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=fields))]
    if code is Code.INVALID_ARGUMENT and "field" in fields:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=fields["field"], description=message
        )
        details.append(_packed(error_details_pb2.BadRequest(field_violations=[violation])))
    return status_pb2.Status(code=code.value[0], message=message, details=details)


class AccessError(Exception):
    """Raised by the runtime itself (authentication, tenancy, roles), shaped like a domain error."""

    def __init__(self, reason: str, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.reason = reason
        self._metadata = metadata

    @property
    def metadata(self) -> Mapping[str, str]:
        return self._metadata


class StorageUnavailable(AccessError):
    """PostgreSQL or Redis did not answer; the same request may be retried."""

    def __init__(self, cause: str) -> None:
        super().__init__(
            "STORAGE_UNAVAILABLE",
            "a store did not answer in time; retry the same request",
            cause=cause,
        )
